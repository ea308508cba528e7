import { BackendError, type ErrorCode } from "../errors.js";
import type { PublishAttempt } from "./types.js";

/**
 * Rejection of `publish` after a transport exhausted its retries. `code` is the code of the
 * failed transport's last error when it was a `BackendError`, else `CONNECTION`; it is never retryable (the
 * publisher already retried). `attempts` lists every failed attempt; `cause` is an
 * `AggregateError` of their errors.
 *
 * @example
 * ```ts
 * try { await publisher.publish("orders", order); }
 * catch (err) { if (err instanceof PublishError) console.log(err.attempts.length); }
 * ```
 */
export class PublishError extends BackendError {
  override name = "PublishError";
  readonly channel: string;
  readonly attempts: readonly PublishAttempt[];

  constructor(channel: string, failed: readonly string[], attempts: readonly PublishAttempt[], last: unknown) {
    const code: ErrorCode = last instanceof BackendError ? last.code : "CONNECTION";
    const reason = last instanceof Error ? last.message : String(last);
    super(
      code,
      `publish to channel ${JSON.stringify(channel)} failed on transport(s) ${failed.join(", ")} after ${attempts.length} failed attempt(s); last error: ${reason}`,
      {
        backend: "publisher",
        retryable: false,
        cause: new AggregateError(
          attempts.map((a) => a.error),
          "every failed attempt",
        ),
      },
    );
    this.channel = channel;
    this.attempts = Object.freeze([...attempts]);
  }
}
