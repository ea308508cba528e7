import { BackendError, type ErrorCode } from "../errors.js";
import { redactUrl } from "../redact.js";

/**
 * One row of a backend's error table: which driver errors it takes, the stable code they
 * get, and what the message says. Rows are tried in order; the first match wins.
 *
 * @example
 * ```ts
 * const row: ErrorRow = [/^BUSY\b/, "SERIALIZATION", (m) => `${m}; the server is running a long script, retry`];
 * ```
 */
export type ErrorRow = readonly [
  /** Tested on the redacted message, or called with the error itself and that message. */
  when: RegExp | ((err: unknown, message: string) => boolean),
  code: ErrorCode,
  /** The message after `[backend] what: ` (default: the redacted message). */
  text?: (message: string) => string,
  /** Overrides the code's default retryability. */
  retryable?: boolean,
];

/**
 * A backend's error mapping, built from its table: a `BackendError` passes through as
 * is; anything else gets the code and message of the first matching {@link ErrorRow} —
 * `[backend] what: text`, URL passwords redacted, the original as `cause` — or, when no
 * row matches, `CONNECTION` with the message as it is. The one shape every server-backed
 * driver's `toBackendError(err, what)` has; only the table differs.
 *
 * @example
 * ```ts
 * const toBackendError = errorTable("acme", [
 *   [/^Command timed out/, "TIMEOUT", (m) => `${m}; retry`],
 *   [/ECONNREFUSED/, "CONNECTION", (m) => `${m}; check that the server is running`],
 * ]);
 * throw toBackendError(err, "cache.get");
 * ```
 */
export function errorTable(backend: string, rows: readonly ErrorRow[]): (err: unknown, what: string) => BackendError {
  return (err, what) => {
    if (err instanceof BackendError) return err;
    const message = redactUrl(err instanceof Error ? err.message : String(err));
    const row = rows.find(([when]) => (typeof when === "function" ? when(err, message) : when.test(message)));
    const [, code = "CONNECTION", text, retryable] = row ?? [];
    return new BackendError(code, `[${backend}] ${what}: ${text ? text(message) : message}`, {
      backend,
      cause: err,
      ...(retryable === undefined ? {} : { retryable }),
    });
  };
}
