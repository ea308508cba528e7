import {
  BackendError,
  ConnectionError,
  DeadlockError,
  IntegrityError,
  OperationalError,
  QueryError,
} from "@core/protocols";

/** The name every error of this backend carries. */
export const BACKEND = "sqlite";

function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/**
 * Turns anything a better-sqlite3 call throws into a `BackendError` — the one place where
 * SQLite result codes meet the shared error codes. A `BackendError` passes through as is.
 *
 * | SQLite | code | class |
 * |---|---|---|
 * | `SQLITE_BUSY*` | `SERIALIZATION` (retryable) | `DeadlockError` |
 * | `SQLITE_LOCKED*` | `LOCKED` (retryable) | `OperationalError` |
 * | `SQLITE_CONSTRAINT*` | `CONFLICT` | `IntegrityError` |
 * | `SQLITE_CORRUPT*`, `SQLITE_NOTADB` | `CORRUPTION` | `BackendError` |
 * | `SQLITE_CANTOPEN*`, `SQLITE_IOERR*`, `SQLITE_FULL`, `SQLITE_READONLY*`, `SQLITE_PERM` | `CONNECTION` | `ConnectionError` |
 * | `SQLITE_INTERRUPT` | `TIMEOUT` | `OperationalError` |
 * | `SQLITE_ERROR`, `SQLITE_RANGE`, `SQLITE_MISMATCH`, other | `INVALID_ARGUMENT` | `QueryError` |
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
    // A TypeError from the driver (closed database, bad binding) or our own bug.
    if (err instanceof TypeError && /not open|closed/i.test(detail)) {
      return new BackendError("CLOSED", "the database connection is closed; open a new backend", options);
    }
    return new BackendError("INVALID_ARGUMENT", message, options);
  }
  if (code.startsWith("SQLITE_BUSY")) {
    return new DeadlockError(`${message}; another connection holds the lock — retry, or raise busyTimeoutMs`, options);
  }
  if (code.startsWith("SQLITE_LOCKED")) return new OperationalError("LOCKED", message, options);
  if (code.startsWith("SQLITE_CONSTRAINT")) return new IntegrityError(message, options);
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
    return new BackendError("CORRUPTION", `${message}; the database file is damaged`, options);
  }
  if (
    code.startsWith("SQLITE_CANTOPEN") ||
    code.startsWith("SQLITE_IOERR") ||
    code.startsWith("SQLITE_READONLY") ||
    code === "SQLITE_FULL" ||
    code === "SQLITE_PERM"
  ) {
    return new ConnectionError(message, options);
  }
  if (code === "SQLITE_INTERRUPT") return new OperationalError("TIMEOUT", message, options);
  return new QueryError(message, options);
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

/**
 * A `CONFLICT` error of this backend.
 *
 * @example
 * ```ts
 * throw conflict("naturalKey is taken");
 * ```
 */
export function conflict(message: string): BackendError {
  return new BackendError("CONFLICT", message, { backend: BACKEND });
}
