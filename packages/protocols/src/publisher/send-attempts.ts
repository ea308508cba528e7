import { BackendError } from "../errors.js";
import type { Message, SendOptions, Transport } from "../transport.js";
import { backoffDelay } from "./backoff.js";
import { observeHook, type PublisherLog } from "./publisher-log.js";
import type { ResolvedChannel } from "./resolve-channel.js";
import type { PublishAttempt, TransportReceipt } from "./types.js";

const NAME = "publisher";

/** One transport's outcome for one publish. */
export type Outcome = { receipt: TransportReceipt; fatal: false } | { fatal: true; transport: string; error: unknown };

/** What one publish sends, shared by its transports. */
export interface SendJob {
  readonly channel: string;
  readonly config: ResolvedChannel;
  readonly message: Message;
  readonly send: SendOptions | undefined;
  readonly timeoutMs: number | undefined;
  /** Every failed attempt of the publish (all transports), for `PublishError`. */
  readonly attempts: PublishAttempt[];
  readonly log: PublisherLog | undefined;
  /** Backoff sleep; rejects when the publisher closes. */
  sleep(ms: number): Promise<void>;
}

function isRetryable(error: unknown): boolean {
  return error instanceof BackendError ? error.retryable : true;
}

/**
 * One attempt: the transport's `send`, bounded by `timeoutMs` when set. A timed-out
 * attempt rejects with a retryable `TIMEOUT`; the abandoned send is left to settle (its
 * late rejection is absorbed, not reported as unhandled).
 */
function attempt(transport: Transport, key: string, job: SendJob, number: number): ReturnType<Transport["send"]> {
  const sending = transport.send(job.channel, [job.message], job.send);
  const ms = job.timeoutMs;
  if (ms === undefined) return sending;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sending.catch(() => {});
      reject(
        new BackendError(
          "TIMEOUT",
          `transport ${JSON.stringify(key)} did not finish attempt ${number} within ${ms} ms`,
          {
            backend: NAME,
          },
        ),
      );
    }, ms);
    sending.then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/**
 * Sends a publish's message through one transport of its channel with the channel's
 * retries: each attempt may time out (`TIMEOUT`, a failure like any other), `onFailure`
 * may force a retry or drop the transport, retryable errors are retried after the backoff
 * until `retries` run out, then `onFatal` hears the last error. Attempts (`debug`),
 * retries and drops (`warn`) and exhaustion (`error`) go to the logger.
 *
 * @example
 * ```ts
 * const outcome = await sendWithRetries(job, "main", transport);
 * ```
 */
export async function sendWithRetries(job: SendJob, key: string, transport: Transport): Promise<Outcome> {
  const { channel, config, message, attempts, log } = job;
  const { onSuccess, onFailure, onFatal } = config.config;
  for (let n = 1; ; n += 1) {
    const ctx = { channel, transport: key, message, attempt: n };
    const fields = { channel, transport: key, messageId: message.id, attempt: n };
    log?.("debug", fields, "publish attempt");
    let error: unknown;
    try {
      const result = await attempt(transport, key, job, n);
      await observeHook(onSuccess && (() => onSuccess(ctx)), "onSuccess", log, fields);
      log?.("debug", fields, "published");
      const receipt: TransportReceipt = { transport: key, backend: transport.name, status: "sent", attempts: n };
      if (result) receipt.result = result;
      return { fatal: false, receipt: Object.freeze(receipt) };
    } catch (err) {
      error = err;
    }
    attempts.push({ transport: key, attempt: n, error });
    let decision: unknown;
    try {
      decision = await onFailure?.({ ...ctx, error });
    } catch (hookError) {
      // onFailure decides the transport's fate; if it cannot, the transport has failed.
      attempts.push({ transport: key, attempt: n, error: hookError });
      log?.("warn", { ...fields, error: hookError }, "onFailure threw; the transport has failed");
      error = hookError;
      decision = "fatal";
    }
    if (decision === "drop") {
      log?.("warn", { ...fields, error }, "transport dropped by onFailure");
      const receipt = { transport: key, backend: transport.name, status: "dropped", attempts: n, error } as const;
      return { fatal: false, receipt: Object.freeze(receipt) };
    }
    const retry = decision !== "fatal" && n <= config.retries && (decision === "retry" || isRetryable(error));
    if (retry) {
      const delayMs = backoffDelay(n, config.backoff);
      log?.("warn", { ...fields, error, delayMs }, "publish attempt failed; retrying");
      try {
        await job.sleep(delayMs);
        continue;
      } catch (closed) {
        attempts.push({ transport: key, attempt: n, error: closed });
        error = closed;
      }
    }
    log?.("error", { ...fields, error }, "publish failed on this transport");
    const fatalCtx = { ...ctx, error };
    await observeHook(onFatal && (() => onFatal(fatalCtx)), "onFatal", log, fields);
    return { fatal: true, transport: key, error };
  }
}
