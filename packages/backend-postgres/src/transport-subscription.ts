import { type StoredMessage, type SubscribeStart, subscriberPositions } from "@core/protocols/kit";
import type { PoolClient } from "pg";
import { pause, query, statement, transaction } from "./db.js";
import type { StoreShared } from "./shared.js";
import type { transportStatements } from "./transport-sql.js";

const BATCH = 100;
// Fallback only: subscribers are woken by NOTIFY; this bounds the wait if one is lost.
const POLL_MS = 500;

interface Row {
  seq: string;
  body: string;
}

type Deliver = (message: StoredMessage) => Promise<boolean>;

/**
 * One subscriber of the outbox: a loop reading it, woken by NOTIFY on the backend's
 * listener. A group delivers under its row's lock (`FOR UPDATE SKIP LOCKED`: one member
 * at a time, the others skip) and stores its new position in the same transaction.
 * `deliver` is the layer's: it retries a failing handler until it succeeds, or returns
 * false when the subscription stops first (the position stays before that message).
 *
 * @example
 * ```ts
 * const sub = await ChannelSubscription.start(shared, sql, "orders", start, deliver, signal);
 * await sub.stopped();
 * ```
 */
export class ChannelSubscription {
  readonly #shared: StoreShared;
  readonly #sql: ReturnType<typeof transportStatements>;
  readonly #channel: string;
  readonly #group: string | undefined;
  readonly #deliver: Deliver;
  readonly #signal: AbortSignal;
  #position = 0;
  #unregister: (() => void) | undefined;
  #loop: Promise<void> = Promise.resolve();

  private constructor(
    shared: StoreShared,
    sql: ReturnType<typeof transportStatements>,
    channel: string,
    group: string | undefined,
    deliver: Deliver,
    signal: AbortSignal,
  ) {
    this.#shared = shared;
    this.#sql = sql;
    this.#channel = channel;
    this.#group = group;
    this.#deliver = deliver;
    this.#signal = signal;
  }

  /** Fixes the starting position (messages sent after `subscribe` resolves arrive), then loops. */
  static async start(
    shared: StoreShared,
    sql: ReturnType<typeof transportStatements>,
    channel: string,
    { group, fromStart }: SubscribeStart,
    deliver: Deliver,
    signal: AbortSignal,
  ): Promise<ChannelSubscription> {
    const sub = new ChannelSubscription(shared, sql, channel, group, deliver, signal);
    try {
      if (group === undefined) {
        // Registered at 0 first: nothing is trimmed under us while the head is read.
        sub.#unregister = subscriberPositions(shared).add(channel, sub);
        if (!fromStart) {
          const { rows } = await query(shared, "transport.subscribe", sql.head, [channel]);
          sub.#position = Number(rows[0]?.next ?? 0);
        }
      } else {
        await query(shared, "transport.subscribe", sql.createGroup, [channel, group, fromStart]);
      }
      await shared.listener?.ready();
    } catch (err) {
      sub.#unregister?.();
      throw err;
    }
    sub.#loop = sub.#run();
    return sub;
  }

  /** The next sequence number this plain subscriber reads (messages below it are delivered). */
  get position(): number {
    return this.#position;
  }

  /** Resolves once the loop ended (after the signal aborted). */
  async stopped(): Promise<void> {
    await this.#loop;
    this.#unregister?.();
  }

  async #run(): Promise<void> {
    const signal = this.#signal;
    const listener = this.#shared.listener;
    // Armed for the loop's life, so a NOTIFY between a read and the wait is not lost.
    const waiter = listener?.arm(`t:${this.#channel}`);
    let failures = 0;
    try {
      while (!signal.aborted) {
        let idle: boolean;
        try {
          idle = this.#group === undefined ? await this.#plainRound() : await this.#groupRound(this.#group);
          failures = 0;
        } catch {
          if (signal.aborted) return;
          // Outages are ridden out: retry with backoff from where this subscriber stands.
          await pause(Math.min(1000, 20 * 2 ** failures++), signal);
          continue;
        }
        if (idle) await (waiter ? waiter.wait(POLL_MS, signal) : pause(POLL_MS, signal));
      }
    } finally {
      waiter?.dispose();
    }
  }

  async #read(from: number, db: PoolClient | undefined): Promise<Row[]> {
    const params = [this.#channel, from, BATCH];
    if (db) return (await db.query<Row>(statement(this.#sql.read, params))).rows;
    return (await query<Row & Record<string, unknown>>(this.#shared, "transport.read", this.#sql.read, params)).rows;
  }

  /** Delivers in order from `position`; returns the position after the last handled message. */
  async #deliverRows(rows: Row[], position: number): Promise<number> {
    for (const row of rows) {
      if (this.#signal.aborted || !(await this.#deliver({ seq: row.seq, text: row.body }))) break;
      position = Number(row.seq) + 1;
    }
    return position;
  }

  /** True when there was nothing to read. */
  async #plainRound(): Promise<boolean> {
    const rows = await this.#read(this.#position, undefined);
    if (rows.length === 0) return true;
    this.#position = await this.#deliverRows(rows, this.#position);
    return false;
  }

  // Holds the group row's lock while delivering a batch, then stores the new position.
  async #groupRound(group: string): Promise<boolean> {
    return transaction(this.#shared, "transport.deliver", async (client) => {
      const claim = await client.query<{ next_seq: string }>(statement(this.#sql.claimGroup, [this.#channel, group]));
      const start = claim.rows[0];
      if (!start) return true; // another member is delivering; it will move the group on
      const from = Number(start.next_seq);
      const rows = await this.#read(from, client);
      if (rows.length === 0) return true;
      const position = await this.#deliverRows(rows, from);
      if (position !== from) await client.query(statement(this.#sql.advanceGroup, [this.#channel, group, position]));
      return false;
    });
  }
}
