import {
  assertKey,
  assertName,
  assertPlainObject,
  BackendError,
  closedError,
  defaultCodec,
  describeValue,
  invalidArgument,
  type Message,
  type MessageHandler,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportOptions,
} from "@core/protocols";
import type { MemoryShared } from "./shared.js";
import { MemoryChannel, type StoredMessage } from "./transport-channel.js";
import { cursorSource, groupSource, MemorySubscription } from "./transport-subscription.js";

const NAME = "memory";
const DAY_MS = 24 * 60 * 60 * 1000;

function nonNegative(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(
      NAME,
      `${what} must be a non-negative finite number of milliseconds, got ${describeValue(value)}`,
    );
  }
  return value;
}

function channelOf(shared: MemoryShared, name: string): MemoryChannel {
  let channel = shared.channels.get(name) as MemoryChannel | undefined;
  if (!channel) {
    channel = new MemoryChannel();
    shared.channels.set(name, channel);
  }
  return channel;
}

/** Validates and encodes one message; throws INVALID_ARGUMENT naming its index. */
function prepare(message: unknown, index: number): StoredMessage {
  const where = `messages[${index}]`;
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    throw invalidArgument(NAME, `${where} must be a message object, got ${describeValue(message)}`);
  }
  const { id, payload, headers, publishedAt, idempotencyKey } = message as Partial<Message>;
  if (typeof id !== "string" || id.length === 0) throw invalidArgument(NAME, `${where}.id must be a non-empty string`);
  if (typeof publishedAt !== "number" || !Number.isFinite(publishedAt)) {
    throw invalidArgument(NAME, `${where}.publishedAt must be a finite number of milliseconds`);
  }
  assertPlainObject(NAME, headers, `${where}.headers`);
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      throw invalidArgument(
        NAME,
        `${where}.headers[${JSON.stringify(key)}] must be a string, got ${describeValue(value)}`,
      );
    }
  }
  if (idempotencyKey !== undefined) assertKey(NAME, idempotencyKey);
  let text: string;
  try {
    text = defaultCodec.encode(payload);
  } catch (cause) {
    throw new BackendError("INVALID_ARGUMENT", `${where}.payload cannot be encoded: ${(cause as Error).message}`, {
      backend: NAME,
      cause,
    });
  }
  const stored: StoredMessage = { id, text, headers: Object.freeze({ ...headers }), publishedAt };
  return idempotencyKey === undefined ? stored : { ...stored, idempotencyKey };
}

/**
 * The memory backend's transport. Channels live in the backend, so every transport of one
 * backend shares them (a message sent through one reaches subscribers of another).
 * At-least-once within the process: each channel keeps a log with group positions, a
 * handler that throws gets the message again after `redeliveryDelayMs` (default 100) and
 * blocks its subscription until it succeeds, a group keeps its position across
 * unsubscribe, and idempotency keys are remembered for `dedupWindowMs` (default 24 h, at
 * most 100 000 keys per channel). Entries every group and subscriber has passed are
 * trimmed, except the last 1000 kept for `fromStart`. Nothing survives the process.
 * `mode: "ephemeral"` turns redelivery off (at-most-once).
 *
 * @example
 * ```ts
 * const bus = createMemoryTransport(shared, { redeliveryDelayMs: 50 });
 * await bus.subscribe("orders", (m) => console.log(m.payload), { group: "shipping" });
 * await bus.send("orders", [{ id: "1", payload: 1, headers: {}, publishedAt: Date.now() }]);
 * ```
 */
export function createMemoryTransport(shared: MemoryShared, options: TransportOptions = {}): Transport {
  assertPlainObject(NAME, options, "transport options");
  const { mode = "durable" } = options;
  if (mode !== "durable" && mode !== "ephemeral") {
    throw invalidArgument(NAME, `mode must be "durable" or "ephemeral", got ${describeValue(mode)}`);
  }
  const dedupWindowMs = nonNegative(options.dedupWindowMs, "dedupWindowMs", DAY_MS);
  const redeliveryDelayMs = nonNegative(options.redeliveryDelayMs, "redeliveryDelayMs", 100);
  return new MemoryTransport(shared, mode === "durable" ? redeliveryDelayMs : undefined, dedupWindowMs);
}

class MemoryTransport implements Transport {
  readonly name = NAME;
  readonly delivery: "at-least-once" | "at-most-once";
  readonly #shared: MemoryShared;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #dedupWindowMs: number;
  readonly #subscriptions = new Set<MemorySubscription>();
  readonly #unregister: () => void;
  #closing: Promise<void> | undefined;

  constructor(shared: MemoryShared, redeliveryDelayMs: number | undefined, dedupWindowMs: number) {
    this.#shared = shared;
    this.#redeliveryDelayMs = redeliveryDelayMs;
    this.#dedupWindowMs = dedupWindowMs;
    this.delivery = redeliveryDelayMs === undefined ? "at-most-once" : "at-least-once";
    this.#unregister = shared.lifecycle.onClose(() => this.close());
  }

  #assertOpen(): void {
    this.#shared.lifecycle.assertOpen();
    if (this.#closing) throw closedError(NAME);
  }

  send(channel: string, messages: readonly Message[]): Promise<void> {
    return this.#shared.lifecycle.run(async () => {
      this.#assertOpen();
      assertName(NAME, channel, "channel");
      if (!Array.isArray(messages))
        throw invalidArgument(NAME, `messages must be an array, got ${describeValue(messages)}`);
      const prepared = messages.map(prepare);
      if (prepared.length > 0) channelOf(this.#shared, channel).append(prepared, this.#dedupWindowMs);
    });
  }

  subscribe(channel: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return this.#shared.lifecycle.run(async () => {
      this.#assertOpen();
      assertName(NAME, channel, "channel");
      if (typeof handler !== "function") throw invalidArgument(NAME, "handler must be a function");
      assertPlainObject(NAME, options, "subscribe options");
      const { group, fromStart = false } = options;
      if (group !== undefined) assertName(NAME, group, "group");
      if (typeof fromStart !== "boolean") throw invalidArgument(NAME, "fromStart must be a boolean");
      const state = channelOf(this.#shared, channel);
      const source = group === undefined ? cursorSource(state, fromStart) : groupSource(state, group, fromStart);
      const subscription = new MemorySubscription(state, source, handler, this.#redeliveryDelayMs);
      this.#subscriptions.add(subscription);
      return {
        unsubscribe: async () => {
          await subscription.unsubscribe();
          this.#subscriptions.delete(subscription);
        },
      };
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#unregister();
      await Promise.all([...this.#subscriptions].map((s) => s.unsubscribe()));
      this.#subscriptions.clear();
    })();
    return this.#closing;
  }
}
