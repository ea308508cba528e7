/**
 * Stable error codes shared by every backend. A caller branches on `code`, never on
 * message text or driver error classes.
 */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "NOT_SUPPORTED"
  | "NOT_INSTALLED"
  | "CLOSED"
  | "CONNECTION"
  | "TIMEOUT"
  | "CONFLICT"
  | "SERIALIZATION"
  | "CORRUPTION"
  | "LOCKED";

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(["CONNECTION", "TIMEOUT", "SERIALIZATION", "LOCKED"]);

/** Options of a {@link BackendError}. */
export interface BackendErrorOptions {
  /** Name of the backend raising the error (`memory`, `sqlite`, …). */
  backend?: string;
  /** The driver or system error this one wraps. */
  cause?: unknown;
  /** Overrides the default for the code (CONNECTION, TIMEOUT, SERIALIZATION, LOCKED retry). */
  retryable?: boolean;
}

/**
 * The one error class every backend raises. The message starts with `[backend]`.
 *
 * @example
 * ```ts
 * try { await cache.set("", 1); }
 * catch (err) { if (BackendError.is(err, "INVALID_ARGUMENT")) console.log(err.message); }
 * ```
 */
export class BackendError extends Error {
  override name = "BackendError";
  readonly code: ErrorCode;
  readonly backend: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: BackendErrorOptions = {}) {
    const backend = options.backend ?? "core";
    super(
      // Only this backend's exact prefix counts: "[1, 2] is not a key" still needs one.
      message.startsWith(`[${backend}] `) ? message : `[${backend}] ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.backend = backend;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
  }

  /**
   * True when `err` is a BackendError (optionally with the given code).
   *
   * @example
   * ```ts
   * if (BackendError.is(err, "CLOSED")) reconnect();
   * ```
   */
  static is(err: unknown, code?: ErrorCode): err is BackendError {
    return err instanceof BackendError && (code === undefined || err.code === code);
  }
}

/**
 * Shorthand for the most common error: bad input, rejected before anything is written.
 *
 * @example
 * ```ts
 * throw invalidArgument("memory", "ttlMs must be a positive finite number, got -1");
 * ```
 */
export function invalidArgument(backend: string, message: string): BackendError {
  return new BackendError("INVALID_ARGUMENT", message, { backend });
}

/**
 * The error every call raises after `close()`.
 *
 * @example
 * ```ts
 * if (this.#closed) throw closedError("memory");
 * ```
 */
export function closedError(backend: string): BackendError {
  return new BackendError("CLOSED", "the backend is closed; open a new one", { backend });
}

/**
 * The error for a capability the backend does not have.
 *
 * @example
 * ```ts
 * throw notSupported("redis", "maxEntries (use the server's maxmemory-policy)");
 * ```
 */
export function notSupported(backend: string, what: string): BackendError {
  return new BackendError("NOT_SUPPORTED", `${what} is not supported by this backend`, {
    backend,
  });
}
