import {
  encodeMessageBody,
  type Message,
  type MessageHandler,
  resolveTransportOptions,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportOptions,
  TransportSubscriptions,
  validateSend,
  validateSubscribe,
} from "@core/protocols";
import type { MemoryShared } from "./shared.js";
import { MemoryChannel, type StoredMessage } from "./transport-channel.js";
import { cursorSource, groupSource, MemorySubscription } from "./transport-subscription.js";

const NAME = "memory";

function channelOf(shared: MemoryShared, name: string): MemoryChannel {
  let channel = shared.channels.get(name) as MemoryChannel | undefined;
  if (!channel) {
    channel = new MemoryChannel();
    shared.channels.set(name, channel);
  }
  return channel;
}

/** Encodes one validated message for the channel log. */
function prepare(message: Message, index: number): StoredMessage {
  const { id, payload, headers, publishedAt, idempotencyKey } = message;
  const text = encodeMessageBody(NAME, payload, index);
  const stored: StoredMessage = { id, text, headers: Object.freeze(headers), publishedAt };
  // Stryker disable next-line ConditionalExpression: an own idempotencyKey: undefined is read as absent
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
  const { redeliveryDelayMs, dedupWindowMs } = resolveTransportOptions(NAME, options);
  return new MemoryTransport(shared, redeliveryDelayMs, dedupWindowMs);
}

class MemoryTransport implements Transport {
  readonly name = NAME;
  readonly delivery: "at-least-once" | "at-most-once";
  readonly #shared: MemoryShared;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #dedupWindowMs: number;
  readonly #subscriptions: TransportSubscriptions;

  constructor(shared: MemoryShared, redeliveryDelayMs: number | undefined, dedupWindowMs: number) {
    this.#shared = shared;
    this.#redeliveryDelayMs = redeliveryDelayMs;
    this.#dedupWindowMs = dedupWindowMs;
    this.delivery = redeliveryDelayMs === undefined ? "at-most-once" : "at-least-once";
    this.#subscriptions = new TransportSubscriptions(NAME, shared.lifecycle);
  }

  #assertOpen(): void {
    this.#subscriptions.assertOpen();
  }

  send(channel: string, messages: readonly Message[]): Promise<void> {
    return this.#shared.lifecycle.run(async () => {
      this.#assertOpen();
      const prepared = validateSend(NAME, channel, messages, prepare);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: appending nothing only prunes, trims and wakes
      if (prepared.length > 0) channelOf(this.#shared, channel).append(prepared, this.#dedupWindowMs);
    });
  }

  subscribe(channel: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return this.#shared.lifecycle.run(async () => {
      this.#assertOpen();
      const { group, fromStart } = validateSubscribe(NAME, channel, handler, options);
      const state = channelOf(this.#shared, channel);
      const source = group === undefined ? cursorSource(state, fromStart) : groupSource(state, group, fromStart);
      const subscription = new MemorySubscription(state, source, handler, this.#redeliveryDelayMs);
      return this.#subscriptions.track(subscription);
    });
  }

  close(): Promise<void> {
    return this.#subscriptions.close();
  }
}
