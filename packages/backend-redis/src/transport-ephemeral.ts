import {
  closedError,
  type Message,
  type MessageHandler,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  validateSubscribe,
} from "@core/protocols";
import { BACKEND } from "./errors.js";
import { type DedicatedConnection, openDedicated, type RedisShared, run } from "./shared.js";
import { channelKeys, decodeMessage, type ResolvedTransportOptions, sendMessages } from "./transport-input.js";

interface Subscriber {
  handler: MessageHandler;
  group: string | undefined;
  // Chains deliveries so a subscriber sees one message at a time, in order.
  tail: Promise<void>;
  active: boolean;
}

/**
 * At-most-once transport on PUBLISH/SUBSCRIBE: nothing is stored, a subscriber only sees
 * messages published while it is subscribed, a handler that throws loses the message.
 * A group's subscribers take turns, among the subscribers of this transport object
 * (another process subscribed with the same group gets its own copy: pub/sub has no
 * server-side groups; use the durable mode for competing consumers across processes).
 *
 * @example
 * ```ts
 * const bus = createEphemeralTransport(shared, resolvedOptions);
 * await bus.subscribe("ticks", (m) => console.log(m.payload));
 * ```
 */
export function createEphemeralTransport(shared: RedisShared, options: ResolvedTransportOptions): Transport {
  return new EphemeralTransport(shared, options);
}

class EphemeralTransport implements Transport {
  readonly name = BACKEND;
  readonly delivery = "at-most-once" as const;
  readonly #shared: RedisShared;
  readonly #options: ResolvedTransportOptions;
  /** Pub/sub channel → its subscribers here. */
  readonly #channels = new Map<string, Set<Subscriber>>();
  readonly #turns = new Map<string, number>();
  #conn: Promise<DedicatedConnection> | undefined;
  #closed = false;
  #unregister: (() => void) | undefined;

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
      sendMessages(this.#shared, this.#options, channel, messages, "publish"),
    );
  }

  #connection(): Promise<DedicatedConnection> {
    this.#conn ??= openDedicated(this.#shared, "transport.subscribe").then((conn) => {
      conn.client.on("message", (channel: string, text: string) => this.#dispatch(channel, text));
      this.#unregister = this.#shared.lifecycle.onClose(() => this.close());
      return conn;
    });
    this.#conn.catch(() => {
      this.#conn = undefined;
    });
    return this.#conn;
  }

  #dispatch(channel: string, text: string): void {
    const subscribers = this.#channels.get(channel);
    if (!subscribers || subscribers.size === 0) return;
    let message: Message;
    try {
      message = decodeMessage(text);
    } catch {
      return; // not ours: someone else published on this channel
    }
    const groups = new Map<string, Subscriber[]>();
    for (const s of subscribers) {
      if (s.group === undefined) enqueue(s, message);
      else groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
    }
    for (const [group, members] of groups) {
      const key = `${channel}\u0000${group}`;
      const turn = this.#turns.get(key) ?? 0;
      this.#turns.set(key, turn + 1);
      enqueue(members[turn % members.length] as Subscriber, message);
    }
  }

  async subscribe(channel: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription> {
    this.#open();
    validateSubscribe(BACKEND, channel, handler, options);
    const name = channelKeys(this.#shared, channel).pubsub;
    const conn = await this.#connection();
    const subscriber: Subscriber = { handler, group: options?.group, tail: Promise.resolve(), active: true };
    let set = this.#channels.get(name);
    if (!set) this.#channels.set(name, (set = new Set()));
    set.add(subscriber);
    // Resolves once the server confirmed: messages published afterwards are delivered.
    await run(this.#shared, "transport.subscribe", () => conn.client.call("subscribe", name)).catch((err) => {
      set.delete(subscriber);
      throw err;
    });
    return {
      unsubscribe: async () => {
        if (!subscriber.active) return subscriber.tail;
        subscriber.active = false;
        set.delete(subscriber);
        if (set.size === 0 && conn.client.status === "ready") {
          this.#channels.delete(name);
          await conn.client.call("unsubscribe", name).catch(() => {});
        }
        await subscriber.tail;
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unregister?.();
    const all = [...this.#channels.values()].flatMap((set) => [...set]);
    this.#channels.clear();
    for (const s of all) s.active = false;
    await Promise.all(all.map((s) => s.tail));
    const conn = await this.#conn?.catch(() => undefined);
    conn?.release();
  }
}

function enqueue(s: Subscriber, message: Message): void {
  const copy = { ...message, headers: { ...message.headers } };
  s.tail = s.tail.then(async () => {
    if (!s.active) return;
    try {
      await s.handler(copy);
    } catch {
      // at-most-once: a failing handler loses the message, as documented.
    }
  });
}
