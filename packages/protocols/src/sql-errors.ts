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
