import { BackendError } from "@core/protocols";
import { sqlError } from "@core/protocols/kit";

/** The name every error of this backend carries. */
export const BACKEND = "sqlite";

function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

// Environment failures: the file cannot be opened, read or written as a whole.
const STORAGE = /^SQLITE_(CANTOPEN|IOERR|FULL|PERM|NOMEM|PROTOCOL|READONLY_)/;

/**
 * Turns anything a better-sqlite3 call throws into a `BackendError` — the one place where
 * SQLite result codes meet the shared error codes, for the stores and for `sql()` alike.
 * A `BackendError` passes through as is; the driver error is kept as `cause`.
 *
 * | SQLite | code | class |
 * |---|---|---|
 * | `SQLITE_BUSY*` | `SERIALIZATION` (retryable) | `DeadlockError` |
 * | `SQLITE_LOCKED*` | `LOCKED` (retryable) | `OperationalError` |
 * | `SQLITE_CONSTRAINT*` | `CONFLICT` | `IntegrityError` |
 * | `SQLITE_READONLY` | `INVALID_ARGUMENT` | `TransactionError` |
 * | `SQLITE_CORRUPT*`, `SQLITE_NOTADB` | `CORRUPTION` | `BackendError` |
 * | `SQLITE_CANTOPEN*`, `SQLITE_IOERR*`, `SQLITE_FULL`, `SQLITE_PERM`, `SQLITE_NOMEM`, `SQLITE_PROTOCOL`, `SQLITE_READONLY_*` | `CONNECTION` (retryable) | `ConnectionError` |
 * | `SQLITE_INTERRUPT` | `TIMEOUT` (retryable) | `OperationalError` |
 * | `TypeError` "not open" from a closed connection | `CLOSED` | `BackendError` |
 * | `SQLITE_ERROR`, `SQLITE_RANGE`, `SQLITE_MISMATCH`, `SQLITE_TOOBIG`, other codes, the driver's `TypeError`/`RangeError` | `INVALID_ARGUMENT` | `QueryError` |
 * | anything else | `INVALID_ARGUMENT` | `BackendError` |
 *
 * `SQLITE_BUSY` is another connection's lock outlasting `busy_timeout`: re-running the
 * transaction succeeds once it is released, so it is a `DeadlockError` that
 * `transaction(fn, { retries })` re-runs. `SQLITE_LOCKED` is a conflict inside one
 * connection (or a shared cache), such as dropping a table a statement still reads: it is
 * `LOCKED` — retryable once that statement ends, but not re-run by `retries`, which only
 * answers `SERIALIZATION`. Plain `SQLITE_READONLY` is a write in a read-only transaction
 * (`PRAGMA query_only`) or on a read-only database: the caller's mistake, like
 * PostgreSQL's 25006. Its extended codes (`SQLITE_READONLY_RECOVERY`, `_CANTLOCK`,
 * `_DBMOVED`, …) are file-system trouble.
 *
 * @example
 * ```ts
 * try { stmt.run(); } catch (err) { throw toBackendError(err); }
 * ```
 */
export function toBackendError(err: unknown, context?: string): BackendError {
  if (err instanceof BackendError) return err;
  const code = sqliteCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const message = `${context ? `${context}: ` : ""}${detail}${code ? ` (${code})` : ""}`;
  const options = { backend: BACKEND, cause: err };
  if (code === undefined) {
    if (err instanceof TypeError && /not open/i.test(detail)) {
      return new BackendError("CLOSED", "the database connection is closed; open a new backend", options);
    }
    // The driver's own misuse errors: bad or too many parameters, several statements, …
    if (err instanceof TypeError || err instanceof RangeError) return sqlError("query", message, options);
    return new BackendError("INVALID_ARGUMENT", message, options);
  }
  if (code.startsWith("SQLITE_BUSY")) {
    return sqlError(
      "conflict",
      `${message}; another connection holds the lock: retry the transaction, or raise busyTimeoutMs`,
      options,
    );
  }
  if (code.startsWith("SQLITE_LOCKED")) {
    return sqlError("locked", `${message}; a statement on this connection still uses the table`, options);
  }
  if (code.startsWith("SQLITE_CONSTRAINT")) return sqlError("constraint", `constraint violated: ${message}`, options);
  if (code === "SQLITE_READONLY") {
    return sqlError("transaction", `write refused, the transaction or database is read-only: ${message}`, options);
  }
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
    return new BackendError("CORRUPTION", `${message}; the database file is damaged`, options);
  }
  if (STORAGE.test(code)) {
    return sqlError("connection", `${message}; check the disk, the path and the file permissions`, options);
  }
  if (code === "SQLITE_INTERRUPT") return sqlError("timeout", `statement interrupted: ${message}`, options);
  return sqlError("query", message, options);
}

/**
 * Runs `fn` and rethrows any failure through {@link toBackendError}.
 *
 * @example
 * ```ts
 * const row = mapErrors(() => stmt.get(ns, key));
 * ```
 */
export function mapErrors<T>(fn: () => T, context?: string): T {
  try {
    return fn();
  } catch (err) {
    throw toBackendError(err, context);
  }
}
