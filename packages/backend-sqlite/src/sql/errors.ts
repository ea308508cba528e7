import {
  BackendError,
  ConnectionError,
  DeadlockError,
  IntegrityError,
  OperationalError,
  QueryError,
  TransactionError,
} from "@core/protocols";

const BACKEND = "sqlite";

/**
 * Maps a better-sqlite3 error to the SQL error hierarchy, keeping it as `cause`:
 * `SQLITE_CONSTRAINT_*` → IntegrityError, `SQLITE_BUSY*`/`SQLITE_LOCKED*` → DeadlockError
 * (retryable), `SQLITE_READONLY*` → TransactionError (INVALID_ARGUMENT), syntax errors,
 * unknown tables and bad parameters → QueryError, `SQLITE_CORRUPT`/`SQLITE_NOTADB` →
 * CORRUPTION, `SQLITE_INTERRUPT` → OperationalError TIMEOUT, I/O and open failures →
 * ConnectionError. A `BackendError` passes through unchanged.
 *
 * @example
 * ```ts
 * try { stmt.run(); } catch (err) { throw mapSqliteError(err); }
 * ```
 */
export function mapSqliteError(err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "";
  const options = { backend: BACKEND, cause: err };
  const text = code ? `${message} (${code})` : message;
  if (code.startsWith("SQLITE_CONSTRAINT")) return new IntegrityError(`constraint violated: ${text}`, options);
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new DeadlockError(`database is locked by another connection, retry the transaction: ${text}`, options);
  }
  if (code.startsWith("SQLITE_READONLY")) {
    return new TransactionError(
      "INVALID_ARGUMENT",
      `write refused, the transaction or database is read-only: ${text}`,
      options,
    );
  }
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
    return new BackendError("CORRUPTION", `the database file is unreadable: ${text}`, options);
  }
  if (code === "SQLITE_INTERRUPT") return new OperationalError("TIMEOUT", `statement interrupted: ${text}`, options);
  if (/^SQLITE_(IOERR|FULL|CANTOPEN|PERM|NOMEM|PROTOCOL)/.test(code)) {
    return new ConnectionError(`storage error, check the disk and file permissions: ${text}`, options);
  }
  if (err instanceof TypeError && /not open/i.test(message)) {
    return new BackendError("CLOSED", "the database connection is closed; open a new backend", options);
  }
  // SQLITE_ERROR (syntax, no such table/column), SQLITE_MISMATCH, SQLITE_RANGE, SQLITE_TOOBIG
  // and better-sqlite3's own TypeError/RangeError for bad parameters or several statements.
  return new QueryError(`query failed: ${text}`, options);
}
