import type { Message, MessageHandler, SubscribeOptions, Subscription, Transport } from "@core/protocols";
import { closedError, validateSubscribe } from "@core/protocols";
import { BACKEND } from "./errors.js";
import { type RedisShared, run } from "./shared.js";
import { createEphemeralTransport } from "./transport-ephemeral.js";
import {
  checkTransportOptions,
  type RedisTransportOptions,
  type ResolvedTransportOptions,
  sendMessages,
} from "./transport-input.js";
import { StreamSubscription } from "./transport-subscription.js";

/**
 * Opens a transport: durable (default) on Redis Streams with consumer groups, or
 * ephemeral (`{ mode: "ephemeral" }`) on PUBLISH/SUBSCRIBE.
 *
 * @example
 * ```ts
 * const bus = createRedisTransport(shared, { mode: "ephemeral" });
 * ```
 */
export function createRedisTransport(shared: RedisShared, options?: RedisTransportOptions): Transport {
  const resolved = checkTransportOptions(options);
  return resolved.mode === "ephemeral"
    ? createEphemeralTransport(shared, resolved)
    : new DurableTransport(shared, resolved);
}

/** At-least-once delivery over a stream per channel; groups are Redis consumer groups. */
class DurableTransport implements Transport {
  readonly name = BACKEND;
  readonly delivery = "at-least-once" as const;
  readonly #shared: RedisShared;
  readonly #options: ResolvedTransportOptions;
  readonly #subscriptions = new Set<StreamSubscription>();
  #closed = false;

  constructor(shared: RedisShared, options: ResolvedTransportOptions) {
    this.#shared = shared;
    this.#options = options;
  }

  #open(): void {
    if (this.#closed) throw closedError(BACKEND);
    this.#shared.lifecycle.assertOpen();
  }

  async send(channel: string, messages: readonly Message[]): Promise<void> {
    this.#open();
    await run(this.#shared, "transport.send", () =>
      sendMessages(this.#shared, this.#options, channel, messages, "stream"),
    );
  }

  async subscribe(channel: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription> {
    this.#open();
    validateSubscribe(BACKEND, channel, handler, options);
    const sub = new StreamSubscription(this.#shared, this.#options, channel, handler, options ?? {});
    await sub.start();
    this.#subscriptions.add(sub);
    return {
      unsubscribe: async () => {
        this.#subscriptions.delete(sub);
        await sub.stop();
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const subs = [...this.#subscriptions];
    this.#subscriptions.clear();
    await Promise.all(subs.map((s) => s.stop()));
  }
}
