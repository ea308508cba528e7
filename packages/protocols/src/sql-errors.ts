import { BackendError, type BackendErrorOptions, type ErrorCode } from "./errors.js";

/**
 * A constraint was violated: unique, foreign key, not null or check (`CONFLICT`).
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof IntegrityError) return "taken"; }
 * ```
 */
export class IntegrityError extends BackendError {
  override name = "IntegrityError";
  constructor(message: string, options?: BackendErrorOptions) {
    super("CONFLICT", message, options);
  }
}

/**
 * The server is unreachable or the connection dropped (`CONNECTION`, retryable).
 *
 * @example
 * ```ts
 * throw new ConnectionError("connection refused; start PostgreSQL", { backend: "postgres" });
 * ```
 */
export class ConnectionError extends BackendError {
  override name = "ConnectionError";
  constructor(message: string, options?: BackendErrorOptions) {
    super("CONNECTION", message, options);
  }
}

/**
 * The database could not run the operation now: timeout or lock (`TIMEOUT` / `LOCKED`).
 *
 * @example
 * ```ts
 * throw new OperationalError("TIMEOUT", "statement timeout", { backend: "postgres" });
 * ```
 */
export class OperationalError extends BackendError {
  override name = "OperationalError";
  constructor(code: Extract<ErrorCode, "TIMEOUT" | "LOCKED">, message: string, options?: BackendErrorOptions) {
    super(code, message, options);
  }
}

/**
 * Deadlock, serialization failure or busy database (`SERIALIZATION`, retryable).
 *
 * @example
 * ```ts
 * await db.transaction(work, { retries: 3 }); // re-runs on DeadlockError
 * ```
 */
export class DeadlockError extends BackendError {
  override name = "DeadlockError";
  constructor(message: string, options?: BackendErrorOptions) {
    super("SERIALIZATION", message, options);
  }
}

/**
 * Misuse of a transaction: using it after it ended, or an unsupported option
 * (`INVALID_ARGUMENT` or `NOT_SUPPORTED`).
 *
 * @example
 * ```ts
 * throw new TransactionError("INVALID_ARGUMENT", "transaction already committed");
 * ```
 */
export class TransactionError extends BackendError {
  override name = "TransactionError";
  constructor(
    code: Extract<ErrorCode, "INVALID_ARGUMENT" | "NOT_SUPPORTED">,
    message: string,
    options?: BackendErrorOptions,
  ) {
    super(code, message, options);
  }
}

/**
 * The statement is wrong: syntax error, unknown table or column (`INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof QueryError) console.error(err.message); }
 * ```
 */
export class QueryError extends BackendError {
  override name = "QueryError";
  constructor(message: string, options?: BackendErrorOptions) {
    super("INVALID_ARGUMENT", message, options);
  }
}

/** What a driver failure was, as a SQL backend's error mapping names it (see {@link sqlError}). */
export type SqlFailure = "constraint" | "conflict" | "transaction" | "connection" | "timeout" | "locked" | "query";

/**
 * The error of the SQL hierarchy for a kind of driver failure, so every SQL backend maps
 * the same kind to the same class and code: `constraint` → {@link IntegrityError}
 * (`CONFLICT`), `conflict` (deadlock, serialization, busy) → {@link DeadlockError}
 * (`SERIALIZATION`), `transaction` (a write in a read-only transaction, a bad transaction
 * state) → {@link TransactionError} (`INVALID_ARGUMENT`), `connection` →
 * {@link ConnectionError}, `timeout` / `locked` → {@link OperationalError}, `query` →
 * {@link QueryError}.
 *
 * @example
 * ```ts
 * if (code.startsWith("23")) return sqlError("constraint", `constraint violated: ${text}`, { backend, cause: err });
 * ```
 */
export function sqlError(kind: SqlFailure, message: string, options: BackendErrorOptions): BackendError {
  switch (kind) {
    case "constraint":
      return new IntegrityError(message, options);
    case "conflict":
      return new DeadlockError(message, options);
    case "transaction":
      return new TransactionError("INVALID_ARGUMENT", message, options);
    case "connection":
      return new ConnectionError(message, options);
    case "timeout":
      return new OperationalError("TIMEOUT", message, options);
    case "locked":
      return new OperationalError("LOCKED", message, options);
    default:
      return new QueryError(message, options);
  }
}
