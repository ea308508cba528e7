import type { StoredMessage, SubscribeStart } from "@core/protocols/kit";
import { type DedicatedConnection, openDedicated, type RedisShared, run } from "./shared.js";

interface Subscriber {
  deliver: (message: StoredMessage) => Promise<boolean>;
  group: string | undefined;
  // Chains deliveries so a subscriber sees one message at a time, in order.
  tail: Promise<unknown>;
  active: boolean;
}

/**
 * The subscribers of one ephemeral (PUBLISH/SUBSCRIBE) transport: nothing is stored, a
 * subscriber only sees messages published while it is subscribed, and (at-most-once) a
 * handler that throws loses the message. A group's subscribers take turns, among the
 * subscribers of this transport object (another process subscribed with the same group
 * gets its own copy: pub/sub has no server-side groups; use the durable mode for
 * competing consumers across processes). One dedicated connection per transport.
 */
export class EphemeralSubscribers {
  readonly #shared: RedisShared;
  /** Pub/sub channel → its subscribers here. */
  readonly #channels = new Map<string, Set<Subscriber>>();
  /** Pub/sub channel and group → messages the group was handed (whose turn is next). */
  readonly #turns = new Map<string, number>();
  #conn: Promise<DedicatedConnection> | undefined;
  #unregister: (() => void) | undefined;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  #connection(): Promise<DedicatedConnection> {
    this.#conn ??= openDedicated(this.#shared, "transport.subscribe").then((conn) => {
      conn.client.on("message", (channel: string, text: string) => this.#dispatch(channel, text));
      this.#unregister = this.#shared.lifecycle.onClose(() => this.close());
      return conn;
    });
    this.#conn.catch(() => (this.#conn = undefined));
    return this.#conn;
  }

  #dispatch(channel: string, text: string): void {
    const stored: StoredMessage = { seq: 0, text };
    const groups = new Map<string, Subscriber[]>();
    for (const s of this.#channels.get(channel) ?? []) {
      if (s.group === undefined) enqueue(s, stored);
      else groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
    }
    for (const [group, members] of groups) {
      const key = `${channel}\u0000${group}`;
      const turn = this.#turns.get(key) ?? 0;
      this.#turns.set(key, turn + 1);
      enqueue(members[turn % members.length] as Subscriber, stored);
    }
  }

  /** Subscribes to pub/sub channel `name`; resolves once the server confirmed. */
  async subscribe(
    name: string,
    { group }: SubscribeStart,
    deliver: (message: StoredMessage) => Promise<boolean>,
  ): Promise<{ stopped(): Promise<void> }> {
    const conn = await this.#connection();
    const subscriber: Subscriber = { deliver, group, tail: Promise.resolve(), active: true };
    let set = this.#channels.get(name);
    if (!set) this.#channels.set(name, (set = new Set()));
    set.add(subscriber);
    // Resolves once the server confirmed: messages published afterwards are delivered.
    await run(this.#shared, "transport.subscribe", () => conn.client.call("subscribe", name)).catch((err) => {
      set.delete(subscriber);
      throw err;
    });
    return {
      stopped: async () => {
        if (subscriber.active) {
          subscriber.active = false;
          set.delete(subscriber);
          if (set.size === 0 && conn.client.status === "ready") {
            this.#channels.delete(name);
            await conn.client.call("unsubscribe", name).catch(() => {});
          }
        }
        await subscriber.tail;
      },
    };
  }

  /** Ends every subscriber and the connection. */
  async close(): Promise<void> {
    this.#unregister?.();
    const all = [...this.#channels.values()].flatMap((set) => [...set]);
    this.#channels.clear();
    for (const s of all) s.active = false;
    await Promise.all(all.map((s) => s.tail));
    (await this.#conn?.catch(() => undefined))?.release();
  }
}

function enqueue(s: Subscriber, stored: StoredMessage): void {
  // The layer decodes a fresh copy per subscriber; text that is no message (someone else
  // published on this channel) fails to decode and, at-most-once, is dropped.
  s.tail = s.tail.then(() => (s.active ? s.deliver(stored) : undefined));
}
