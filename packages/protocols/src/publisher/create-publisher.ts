import { randomUUID } from "node:crypto";
import { defaultCodec } from "../codec.js";
import { BackendError, invalidArgument } from "../errors.js";
import { Lifecycle } from "../lifecycle.js";
import type { Message, Transport } from "../transport.js";
import { assertKey, assertName, assertNonNegativeInteger, assertPlainObject, describeValue } from "../validation.js";
import { backoffDelay, type ResolvedBackoff, resolveBackoff } from "./backoff.js";
import { PublishError } from "./publish-error.js";
import { RecentKeys } from "./recent-keys.js";
import type {
  ChannelConfig,
  PublishAttempt,
  Publisher,
  PublisherOptions,
  PublishOptions,
  PublishReceipt,
  TransportReceipt,
} from "./types.js";

const NAME = "publisher";
const DAY_MS = 24 * 60 * 60 * 1000;

interface ResolvedChannel {
  readonly transports: readonly string[];
  readonly retries: number;
  readonly backoff: ResolvedBackoff;
  readonly config: ChannelConfig;
}

type Outcome = { receipt: TransportReceipt; fatal: false } | { fatal: true; transport: string; error: unknown };

/**
 * Builds the publisher runtime over named transports (Rambla semantics): `publish` fans a
 * message out to every transport of its channel in parallel; each transport is retried on
 * its own with exponential backoff; hooks observe successes and failures and may drop a
 * transport. A repeat `idempotencyKey` on a channel within `dedupWindowMs` resolves with
 * the first publish's receipt (awaiting it if still running) without sending again; a
 * publish that failed is forgotten so it can be repeated.
 *
 * @example
 * ```ts
 * const publisher = createPublisher({
 *   transports: { main: backend.transport(), audit: other.transport() },
 *   channels: { orders: { transport: ["main", "audit"], retries: 5, backoff: { initialMs: 100, jitter: true } } },
 * });
 * const receipt = await publisher.publish("orders", { sku: 1 }, { idempotencyKey: "order-1" });
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
  return new DefaultPublisher(transports, channels, new RecentKeys<PublishReceipt>(windowMs, maxKeys));
}

function resolveChannel(channel: string, config: ChannelConfig, transports: Map<string, Transport>): ResolvedChannel {
  assertPlainObject(NAME, config, `channel ${JSON.stringify(channel)}`);
  const names = typeof config.transport === "string" ? [config.transport] : config.transport;
  if (!Array.isArray(names) || names.length === 0) {
    throw invalidArgument(
      NAME,
      `channel ${JSON.stringify(channel)}: transport must be a transport key or a non-empty array of them`,
    );
  }
  for (const name of names) {
    if (typeof name !== "string" || !transports.has(name)) {
      throw invalidArgument(
        NAME,
        `channel ${JSON.stringify(channel)}: unknown transport ${describeValue(name)} (known: ${[...transports.keys()].join(", ")})`,
      );
    }
  }
  if (new Set(names).size !== names.length) {
    throw invalidArgument(NAME, `channel ${JSON.stringify(channel)}: a transport is listed twice`);
  }
  const retries = config.retries ?? 3;
  assertNonNegativeInteger(NAME, retries, "retries");
  for (const hook of ["onSuccess", "onFailure", "onFatal"] as const) {
    if (config[hook] !== undefined && typeof config[hook] !== "function") {
      throw invalidArgument(NAME, `channel ${JSON.stringify(channel)}: ${hook} must be a function`);
    }
  }
  return Object.freeze({
    transports: Object.freeze([...names]),
    retries,
    backoff: resolveBackoff(config.backoff),
    config,
  });
}

function validateOptions(options: PublishOptions): { key: string | undefined; headers: Record<string, string> } {
  assertPlainObject(NAME, options, "publish options");
  const { idempotencyKey: key, headers = {} } = options;
  if (key !== undefined) assertKey(NAME, key);
  assertPlainObject(NAME, headers, "headers");
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.length === 0) throw invalidArgument(NAME, "header names must not be empty");
    if (typeof value !== "string") {
      throw invalidArgument(NAME, `header ${JSON.stringify(name)} must be a string, got ${describeValue(value)}`);
    }
    // Plain assignment of "__proto__" would hit the prototype setter and drop the header.
    Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return { key, headers: copy };
}

function isRetryable(error: unknown): boolean {
  return error instanceof BackendError ? error.retryable : true;
}

// A failing observer hook must not change a publish's outcome (the message went out or
// did not); it is surfaced as a process warning instead of being swallowed.
async function observe(hook: (() => unknown) | undefined, what: string): Promise<void> {
  try {
    await hook?.();
  } catch (err) {
    process.emitWarning(`[publisher] ${what} threw: ${err instanceof Error ? err.message : String(err)}`);
  }
}

class DefaultPublisher implements Publisher {
  readonly #life = new Lifecycle(NAME);
  readonly #transports: Map<string, Transport>;
  readonly #channels: Map<string, ResolvedChannel>;
  readonly #recent: RecentKeys<PublishReceipt>;

  constructor(
    transports: Map<string, Transport>,
    channels: Map<string, ResolvedChannel>,
    recent: RecentKeys<PublishReceipt>,
  ) {
    this.#transports = transports;
    this.#channels = channels;
    this.#recent = recent;
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
      const { key, headers } = validateOptions(options);
      try {
        defaultCodec.encode(payload);
      } catch (cause) {
        throw new BackendError("INVALID_ARGUMENT", `payload cannot be encoded: ${(cause as Error).message}`, {
          backend: NAME,
          cause,
        });
      }
      const dedupKey = key === undefined ? undefined : `${channel}\u0000${key}`;
      const earlier = dedupKey === undefined ? undefined : this.#recent.get(dedupKey);
      if (earlier) return earlier;
      const message: Message = Object.freeze({
        id: randomUUID(),
        payload,
        headers: Object.freeze(headers) as Record<string, string>,
        publishedAt: Date.now(),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      });
      const result = this.#fanOut(channel, config, message);
      if (dedupKey !== undefined) {
        this.#recent.remember(dedupKey, result);
        result.catch(() => this.#recent.forget(dedupKey, result));
      }
      return result;
    });
  }

  async #fanOut(channel: string, config: ResolvedChannel, message: Message): Promise<PublishReceipt> {
    const attempts: PublishAttempt[] = [];
    const outcomes = await Promise.all(
      config.transports.map((t) => this.#sendTo(channel, config, t, message, attempts)),
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

  async #sendTo(
    channel: string,
    config: ResolvedChannel,
    key: string,
    message: Message,
    attempts: PublishAttempt[],
  ): Promise<Outcome> {
    const transport = this.#transports.get(key) as Transport;
    const { onSuccess, onFailure, onFatal } = config.config;
    for (let attempt = 1; ; attempt += 1) {
      const ctx = { channel, transport: key, message, attempt };
      let error: unknown;
      try {
        await transport.send(channel, [message]);
        await observe(onSuccess && (() => onSuccess(ctx)), "onSuccess");
        return {
          fatal: false,
          receipt: Object.freeze({ transport: key, backend: transport.name, status: "sent", attempts: attempt }),
        };
      } catch (err) {
        error = err;
      }
      attempts.push({ transport: key, attempt, error });
      let decision: unknown;
      try {
        decision = await onFailure?.({ ...ctx, error });
      } catch (hookError) {
        // onFailure decides the transport's fate; if it cannot, the transport has failed.
        attempts.push({ transport: key, attempt, error: hookError });
        error = hookError;
        decision = "fatal";
      }
      if (decision === "drop") {
        return {
          fatal: false,
          receipt: Object.freeze({
            transport: key,
            backend: transport.name,
            status: "dropped",
            attempts: attempt,
            error,
          }),
        };
      }
      const retry = decision !== "fatal" && attempt <= config.retries && (decision === "retry" || isRetryable(error));
      if (retry) {
        try {
          await this.#sleep(backoffDelay(attempt, config.backoff));
          continue;
        } catch (closed) {
          attempts.push({ transport: key, attempt, error: closed });
          error = closed;
        }
      }
      const fatalCtx = { ...ctx, error };
      await observe(onFatal && (() => onFatal(fatalCtx)), "onFatal");
      return { fatal: true, transport: key, error };
    }
  }

  // Not unref()ed: a pending publish is foreground work the caller awaits. close() ends it.
  #sleep(ms: number): Promise<void> {
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
