import { randomUUID } from "node:crypto";
import { invalidArgument } from "../errors.js";
import { Lifecycle } from "../lifecycle.js";
import type { Message, Transport } from "../transport.js";
import { assertName, assertNonNegativeInteger, assertPlainObject, describeValue } from "../validation.js";
import { PublishError } from "./publish-error.js";
import { assertEncodable, type CheckedPublish, checkPublishOptions, resolvePayload } from "./publish-input.js";
import { type PublisherLog, publisherLog } from "./publisher-log.js";
import { RecentKeys } from "./recent-keys.js";
import { type ResolvedChannel, resolveChannel } from "./resolve-channel.js";
import { type SendJob, sendWithRetries } from "./send-attempts.js";
import type { PublishAttempt, Publisher, PublisherOptions, PublishOptions, PublishReceipt } from "./types.js";

const NAME = "publisher";
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Builds the publisher runtime over named transports (Rambla semantics): `publish` fans a
 * message out to every transport of its channel in parallel; each transport is retried on
 * its own with exponential backoff (each attempt bounded by `timeoutMs` when set); hooks
 * observe successes and failures and may drop a transport. Send options (`delayMs`,
 * `priority`, `key`) of the channel or the publish reach every transport, which must
 * honour them (`NOT_SUPPORTED` otherwise). A function payload is called once per publish.
 * A repeat `idempotencyKey` on a channel within `dedupWindowMs` resolves with the first
 * publish's receipt (awaiting it if still running) without sending again; a publish that
 * failed is forgotten so it can be repeated. Receipts keep what each transport's `send`
 * returned; `logger` hears attempts, retries, drops and failures.
 *
 * @example
 * ```ts
 * const publisher = createPublisher({
 *   transports: { main: backend.transport(), audit: other.transport() },
 *   channels: { orders: { transport: ["main", "audit"], retries: 5, timeoutMs: 2000, backoff: { initialMs: 100, jitter: true } } },
 *   logger: console,
 * });
 * const receipt = await publisher.publish("orders", { sku: 1 }, { idempotencyKey: "order-1", delayMs: 500 });
 * ```
 */
export function createPublisher(options: PublisherOptions): Publisher {
  assertPlainObject(NAME, options, "options");
  assertPlainObject(NAME, options.transports, "transports");
  assertPlainObject(NAME, options.channels, "channels");
  const transports = new Map<string, Transport>();
  for (const [key, transport] of Object.entries(options.transports)) {
    if (transport === null || typeof transport !== "object" || typeof transport.send !== "function") {
      throw invalidArgument(NAME, `transport ${JSON.stringify(key)} must be a Transport (an object with send())`);
    }
    transports.set(key, transport);
  }
  const channels = new Map<string, ResolvedChannel>();
  for (const [channel, config] of Object.entries(options.channels)) {
    assertName(NAME, channel, "channel name");
    channels.set(channel, resolveChannel(channel, config, transports));
  }
  const windowMs = options.dedupWindowMs ?? DAY_MS;
  if (typeof windowMs !== "number" || !Number.isFinite(windowMs) || windowMs < 0) {
    throw invalidArgument(NAME, `dedupWindowMs must be a non-negative finite number, got ${describeValue(windowMs)}`);
  }
  const maxKeys = options.dedupMaxKeys ?? 100_000;
  assertNonNegativeInteger(NAME, maxKeys, "dedupMaxKeys");
  const log = publisherLog(options.logger);
  return new DefaultPublisher(transports, channels, new RecentKeys<PublishReceipt>(windowMs, maxKeys), log);
}

class DefaultPublisher implements Publisher {
  readonly #life = new Lifecycle(NAME);
  readonly #transports: Map<string, Transport>;
  readonly #channels: Map<string, ResolvedChannel>;
  readonly #recent: RecentKeys<PublishReceipt>;
  readonly #log: PublisherLog | undefined;
  readonly #sleep = (ms: number) => this.#sleepUnlessClosed(ms);

  constructor(
    transports: Map<string, Transport>,
    channels: Map<string, ResolvedChannel>,
    recent: RecentKeys<PublishReceipt>,
    log: PublisherLog | undefined,
  ) {
    this.#transports = transports;
    this.#channels = channels;
    this.#recent = recent;
    this.#log = log;
  }

  publish(channel: string, payload: unknown, options: PublishOptions = {}): Promise<PublishReceipt> {
    return this.#life.run(async () => {
      const config = typeof channel === "string" ? this.#channels.get(channel) : undefined;
      if (!config) {
        throw invalidArgument(
          NAME,
          `unknown channel ${describeValue(channel)} (configured: ${[...this.#channels.keys()].join(", ")})`,
        );
      }
      const checked = checkPublishOptions(options, config, this.#transports, channel);
      if (typeof payload !== "function") assertEncodable(payload);
      const dedupKey = checked.key === undefined ? undefined : `${channel}\u0000${checked.key}`;
      const earlier = dedupKey === undefined ? undefined : this.#recent.get(dedupKey);
      if (earlier) return earlier;
      // Remembered before the (possibly lazy) payload resolves, so a concurrent repeat waits for this one.
      const result = this.#publishResolved(channel, config, checked, payload);
      if (dedupKey !== undefined) {
        this.#recent.remember(dedupKey, result);
        result.catch(() => this.#recent.forget(dedupKey, result));
      }
      return result;
    });
  }

  async #publishResolved(
    channel: string,
    config: ResolvedChannel,
    checked: CheckedPublish,
    payload: unknown,
  ): Promise<PublishReceipt> {
    const value = typeof payload === "function" ? await resolvePayload(payload) : payload;
    const { key, headers } = checked;
    const message: Message = Object.freeze({
      id: randomUUID(),
      payload: value,
      headers: Object.freeze(headers) as Record<string, string>,
      publishedAt: Date.now(),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return this.#fanOut(channel, config, checked, message);
  }

  async #fanOut(
    channel: string,
    config: ResolvedChannel,
    checked: CheckedPublish,
    message: Message,
  ): Promise<PublishReceipt> {
    const attempts: PublishAttempt[] = [];
    const job: SendJob = {
      channel,
      config,
      message,
      send: checked.send,
      timeoutMs: checked.timeoutMs,
      attempts,
      log: this.#log,
      sleep: this.#sleep,
    };
    const outcomes = await Promise.all(
      config.transports.map((key) => sendWithRetries(job, key, this.#transports.get(key) as Transport)),
    );
    const fatal = outcomes.filter((o) => o.fatal);
    if (fatal.length > 0) {
      throw new PublishError(
        channel,
        fatal.map((o) => o.transport),
        attempts,
        fatal.at(-1)?.error,
      );
    }
    return Object.freeze({
      channel,
      messageId: message.id,
      publishedAt: message.publishedAt,
      ...(message.idempotencyKey === undefined ? {} : { idempotencyKey: message.idempotencyKey }),
      transports: Object.freeze(outcomes.map((o) => (o.fatal ? (undefined as never) : o.receipt))),
    });
  }

  // Not unref()ed: a pending publish is foreground work the caller awaits. close() ends it.
  #sleepUnlessClosed(ms: number): Promise<void> {
    const signal = this.#life.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  close(): Promise<void> {
    return this.#life.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
