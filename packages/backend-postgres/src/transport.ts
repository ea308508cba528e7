import {
  closedError,
  type Message,
  type MessageHandler,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportOptions,
  validateSubscribe,
} from "@core/protocols";
import type { PoolClient } from "pg";
import { pause, query, statement, transaction } from "./db.js";
import { BACKEND } from "./errors.js";
import type { StoreShared } from "./shared.js";
import {
  checkTransportOptions,
  decodeMessage,
  encodeMessages,
  type ResolvedTransportOptions,
} from "./transport-input.js";
import { transportStatements } from "./transport-sql.js";

const BATCH = 100;
/** Messages kept per channel beyond what groups and this process's subscribers still need. */
export const RETAINED_MESSAGES = 1000;

// Plain subscribers' positions per backend and channel, so `send` keeps what they still need.
const plainSubscribers = new WeakMap<StoreShared, Map<string, Set<ChannelSubscription>>>();

function subscribersOf(shared: StoreShared, channel: string): Set<ChannelSubscription> {
  let channels = plainSubscribers.get(shared);
  if (!channels) plainSubscribers.set(shared, (channels = new Map()));
  let subs = channels.get(channel);
  if (!subs) channels.set(channel, (subs = new Set()));
  return subs;
}

// The lowest position an in-process plain subscriber of `channel` still has to read.
function lowestPosition(shared: StoreShared, channel: string): number | null {
  let lowest: number | null = null;
  for (const sub of plainSubscribers.get(shared)?.get(channel) ?? []) {
    lowest = lowest === null ? sub.position : Math.min(lowest, sub.position);
  }
  return lowest;
}
// Fallback only: subscribers are woken by NOTIFY; this bounds the wait if one is lost.
const POLL_MS = 500;

/**
 * Opens the durable transport: an outbox table per schema with a sequence per channel,
 * group positions in a table (claimed with `FOR UPDATE SKIP LOCKED`), idempotency keys
 * with an expiry, NOTIFY to wake subscribers. Each `send` trims the channel's outbox to
 * the newest {@link RETAINED_MESSAGES} plus whatever a group or a plain subscriber of this
 * backend has not delivered yet (in the same statement). At-least-once: a handler that throws gets
 * the message again after `redeliveryDelayMs`, and its subscriber does not move past it.
 *
 * @example
 * ```ts
 * const bus = createPostgresTransport(shared, { redeliveryDelayMs: 50 });
 * await bus.subscribe("orders", handle, { group: "shipping" });
 * ```
 */
export function createPostgresTransport(shared: StoreShared, options?: TransportOptions): Transport {
  return new PostgresTransport(shared, checkTransportOptions(options));
}

class PostgresTransport implements Transport {
  readonly name = BACKEND;
  readonly delivery = "at-least-once" as const;
  readonly #shared: StoreShared;
  readonly #options: ResolvedTransportOptions;
  readonly #sql: ReturnType<typeof transportStatements>;
  readonly #subscriptions = new Set<ChannelSubscription>();
  #closed = false;
  #sends = 0;

  constructor(shared: StoreShared, options: ResolvedTransportOptions) {
    this.#shared = shared;
    this.#options = options;
    this.#sql = transportStatements(shared.quotedSchema);
  }

  #open(): void {
    if (this.#closed) throw closedError(BACKEND);
    this.#shared.lifecycle.assertOpen();
  }

  async send(channel: string, messages: readonly Message[]): Promise<void> {
    this.#open();
    const { bodies, keys } = encodeMessages(channel, messages);
    if (bodies.length === 0) return;
    await query(this.#shared, "transport.send", this.#sql.send, [
      channel,
      bodies,
      keys,
      this.#options.dedupWindowMs,
      this.#shared.notifyChannel,
      `t:${channel}`,
      RETAINED_MESSAGES,
      lowestPosition(this.#shared, channel),
    ]);
    // Expired idempotency keys are reclaimed now and then, never on the hot path's critical part.
    if (++this.#sends % 100 === 0) {
      await query(this.#shared, "transport.send", this.#sql.sweepDedup, [channel]).catch(() => {});
    }
  }

  async subscribe(channel: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription> {
    this.#open();
    validateSubscribe(BACKEND, channel, handler, options);
    const sub = new ChannelSubscription(this.#shared, this.#sql, this.#options, channel, handler, options ?? {});
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

interface Row {
  seq: string;
  body: string;
}

/** One subscriber: a loop reading the outbox, woken by NOTIFY on the backend's listener. */
class ChannelSubscription {
  readonly #shared: StoreShared;
  readonly #sql: ReturnType<typeof transportStatements>;
  readonly #options: ResolvedTransportOptions;
  readonly #channel: string;
  readonly #handler: MessageHandler;
  readonly #group: string | undefined;
  readonly #fromStart: boolean;
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal;
  #position = 0;
  #subscribers: Set<ChannelSubscription> | undefined;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #unregister: (() => void) | undefined;

  constructor(
    shared: StoreShared,
    sql: ReturnType<typeof transportStatements>,
    options: ResolvedTransportOptions,
    channel: string,
    handler: MessageHandler,
    subscribe: SubscribeOptions,
  ) {
    this.#shared = shared;
    this.#sql = sql;
    this.#options = options;
    this.#channel = channel;
    this.#handler = handler;
    this.#group = subscribe.group;
    this.#fromStart = subscribe.fromStart === true;
    this.#signal = AbortSignal.any([this.#stop.signal, shared.lifecycle.signal]);
  }

  /** Fixes the starting position (messages sent after `subscribe` resolves arrive), then loops. */
  async start(): Promise<void> {
    try {
      if (this.#group === undefined) {
        // Registered at 0 first: nothing is trimmed under us while the head is read.
        this.#subscribers = subscribersOf(this.#shared, this.#channel);
        this.#subscribers.add(this);
        if (!this.#fromStart) {
          const { rows } = await query(this.#shared, "transport.subscribe", this.#sql.head, [this.#channel]);
          this.#position = Number(rows[0]?.next ?? 0);
        }
      } else {
        await query(this.#shared, "transport.subscribe", this.#sql.createGroup, [
          this.#channel,
          this.#group,
          this.#fromStart,
        ]);
      }
      await this.#shared.listener.ready();
    } catch (err) {
      this.#subscribers?.delete(this);
      throw err;
    }
    this.#unregister = this.#shared.lifecycle.onClose(() => this.stop());
    this.#loop = this.#run();
  }

  /** The next sequence number this plain subscriber reads (messages below it are delivered). */
  get position(): number {
    return this.#position;
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#unregister?.();
      this.#stop.abort();
      await this.#loop;
      this.#subscribers?.delete(this);
    })();
    return this.#stopping;
  }

  async #run(): Promise<void> {
    const signal = this.#signal;
    // Armed for the loop's life, so a NOTIFY between a read and the wait is not lost.
    const waiter = this.#shared.listener.arm(`t:${this.#channel}`);
    let failures = 0;
    try {
      while (!signal.aborted) {
        let outcome: "idle" | "busy" | "failed";
        try {
          outcome = this.#group === undefined ? await this.#plainRound() : await this.#groupRound(this.#group);
          failures = 0;
        } catch {
          if (signal.aborted) return;
          // Outages are ridden out: retry with backoff from where this subscriber stands.
          await pause(Math.min(1000, 20 * 2 ** failures++), signal);
          continue;
        }
        if (outcome === "idle") await waiter.wait(POLL_MS, signal);
        else if (outcome === "failed") await pause(this.#options.redeliveryDelayMs, signal);
      }
    } finally {
      waiter.dispose();
    }
  }

  async #read(from: number, db: PoolClient | undefined): Promise<Row[]> {
    const params = [this.#channel, from, BATCH];
    if (db) return (await db.query<Row>(statement(this.#sql.read, params))).rows;
    return (await query<Row & Record<string, unknown>>(this.#shared, "transport.read", this.#sql.read, params)).rows;
  }

  // Delivers in order from `position`; stops at the first handler failure.
  async #deliver(rows: Row[], position: number): Promise<{ position: number; failed: boolean }> {
    for (const row of rows) {
      if (this.#signal.aborted) break;
      try {
        await this.#handler(decodeMessage(row.body));
      } catch {
        return { position, failed: true };
      }
      position = Number(row.seq) + 1;
    }
    return { position, failed: false };
  }

  async #plainRound(): Promise<"idle" | "busy" | "failed"> {
    const rows = await this.#read(this.#position, undefined);
    if (rows.length === 0) return "idle";
    const { position, failed } = await this.#deliver(rows, this.#position);
    this.#position = position;
    return failed ? "failed" : "busy";
  }

  // Holds the group row's lock while delivering a batch, then stores the new position.
  async #groupRound(group: string): Promise<"idle" | "busy" | "failed"> {
    return transaction(this.#shared, "transport.deliver", async (client) => {
      const claim = await client.query<{ next_seq: string }>(statement(this.#sql.claimGroup, [this.#channel, group]));
      const start = claim.rows[0];
      if (!start) return "idle"; // another member is delivering; it will move the group on
      const from = Number(start.next_seq);
      const rows = await this.#read(from, client);
      if (rows.length === 0) return "idle";
      const { position, failed } = await this.#deliver(rows, from);
      if (position !== from) await client.query(statement(this.#sql.advanceGroup, [this.#channel, group, position]));
      return failed ? "failed" : "busy";
    });
  }
}
