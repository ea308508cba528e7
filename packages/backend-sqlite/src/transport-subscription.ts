import { defaultCodec, type Message, type MessageHandler, type Subscription } from "@core/protocols";
import type { SqliteShared } from "./shared.js";
import * as Q from "./transport-sql.js";

/** How long a group member's claim on a message lasts before others may take it (ms). */
export const CLAIM_LEASE_MS = 30_000;
/** Idle subscribers look again this often, to pick up claims whose lease ran out (ms). */
const IDLE_RECHECK_MS = 1000;

interface Row {
  seq: number;
  id: string;
  payload: string;
  headers: string;
  published_at: number;
  idempotency_key: string | null;
}

function toMessage(row: Row): Message {
  const message: Message = {
    id: row.id,
    payload: defaultCodec.decode(row.payload),
    headers: JSON.parse(row.headers),
    publishedAt: row.published_at,
  };
  if (row.idempotency_key !== null) message.idempotencyKey = row.idempotency_key;
  return message;
}

/** Where a subscription takes its messages from: its own cursor, or its group's claims. */
export interface MessageSource {
  /** The next message to handle (claimed, for a group), or undefined. Synchronous SQL. */
  take(): Row | undefined;
  /** The message was handled. */
  ack(seq: number): void;
  /** Still handling `seq` (a retry): keep it. */
  renew(seq: number): void;
  /** Leaving before handling `seq`: hand it to someone else. */
  release(seq: number): void;
  /** The subscription ended. */
  end(): void;
}

/**
 * A plain subscriber's source: every message from its cursor on, in order. The cursor is
 * in memory (registered in `cursors` so `send` does not trim what it still needs).
 */
export function cursorSource(
  shared: SqliteShared,
  channel: string,
  start: number,
  cursors: Set<{ position: number }>,
): MessageSource {
  const cursor = { position: start };
  cursors.add(cursor);
  return {
    take: () => shared.prepare(Q.MESSAGE_FROM).get(channel, cursor.position) as Row | undefined,
    ack: (seq) => {
      cursor.position = seq + 1;
    },
    renew: () => {},
    release: () => {},
    end: () => cursors.delete(cursor),
  };
}

/**
 * A group member's source: claims in `core_outbox_claims` (released or expired ones first,
 * oldest first, then the group's next message), each claim taken inside `BEGIN IMMEDIATE`
 * so exactly one member — in any process — holds a message at a time.
 */
export function groupSource(shared: SqliteShared, channel: string, group: string): MessageSource {
  const { prepare } = shared;
  const lease = () => Date.now() + CLAIM_LEASE_MS;
  return {
    take: () =>
      shared.write(() => {
        let seq = prepare(Q.FREE_CLAIM).pluck().get(channel, group, Date.now()) as number | undefined;
        if (seq === undefined) {
          const next = prepare(Q.GROUP_NEXT).pluck().get(channel, group) as number | undefined;
          const end = (prepare(Q.NEXT_SEQ).pluck().get(channel) as number | undefined) ?? 0;
          if (next === undefined || next >= end) return undefined;
          const row = prepare(Q.MESSAGE_FROM).get(channel, next) as Row | undefined;
          if (row === undefined) return undefined;
          seq = row.seq;
          prepare(Q.ADVANCE_GROUP).run(seq + 1, channel, group);
          prepare(Q.CLAIM).run(channel, group, seq, lease());
          return row;
        }
        prepare(Q.CLAIM).run(channel, group, seq, lease());
        const row = prepare(Q.MESSAGE_AT).get(channel, seq) as Row | undefined;
        // Trimmed meanwhile (cannot happen while claimed, but never loop on it).
        if (row === undefined) prepare(Q.ACK).run(channel, group, seq);
        return row;
      }),
    ack: (seq) => void prepare(Q.ACK).run(channel, group, seq),
    renew: (seq) => void prepare(Q.CLAIM).run(channel, group, seq, lease()),
    release: (seq) => void prepare(Q.RELEASE).run(channel, group, seq),
    end: () => {},
  };
}

/**
 * One subscriber: a loop that hands it one message at a time, in order, always from a
 * fresh turn of the event loop (never inside `send`). With `redeliveryDelayMs` set, a
 * handler that throws gets the same message again after the delay and the subscription
 * does not move past it until it succeeds (at-least-once); otherwise it moves on.
 *
 * @example
 * ```ts
 * const sub = new SqliteSubscription(shared, "outbox:orders", source, handler, 100);
 * await sub.unsubscribe();
 * ```
 */
export class SqliteSubscription implements Subscription {
  readonly #shared: SqliteShared;
  readonly #wakeKey: string;
  readonly #source: MessageSource;
  readonly #handler: MessageHandler;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #stopped = new AbortController();
  readonly #done: Promise<void>;

  constructor(
    shared: SqliteShared,
    wakeKey: string,
    source: MessageSource,
    handler: MessageHandler,
    redeliveryDelayMs: number | undefined,
  ) {
    this.#shared = shared;
    this.#wakeKey = wakeKey;
    this.#source = source;
    this.#handler = handler;
    this.#redeliveryDelayMs = redeliveryDelayMs;
    this.#done = this.#run().finally(() => source.end());
  }

  get #active(): boolean {
    return !this.#stopped.signal.aborted && !this.#shared.lifecycle.closed;
  }

  async #run(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { notifier } = this.#shared;
    while (this.#active) {
      let taken: { row: Row | undefined; mark: ReturnType<typeof notifier.mark> };
      try {
        taken = await this.#shared.run(() => {
          const mark = notifier.mark(this.#wakeKey);
          return { row: this.#source.take(), mark };
        });
      } catch {
        // Busy (another process holds the lock) or closing: look again shortly.
        if (!this.#active) return;
        await this.#sleep(this.#redeliveryDelayMs ?? 50);
        continue;
      }
      if (taken.row === undefined) {
        // Whichever ends first cancels the other: neither leaves a timer or listener behind.
        const idle = new AbortController();
        await Promise.race([
          notifier.wait(this.#wakeKey, taken.mark, this.#stopped.signal, this.#shared.lifecycle.signal, idle.signal),
          this.#sleep(IDLE_RECHECK_MS, idle.signal),
        ]);
        idle.abort();
        continue;
      }
      const seq = taken.row.seq;
      const handled = await this.#deliver(taken.row);
      await this.#settle(() => (handled ? this.#source.ack(seq) : this.#source.release(seq)));
      if (!handled) this.#shared.notifier.notify(this.#wakeKey);
    }
  }

  /** True once handled (or given up under at-most-once); false when the subscription ended first. */
  async #deliver(row: Row): Promise<boolean> {
    for (;;) {
      try {
        await this.#handler(toMessage(row));
        return true;
      } catch {
        if (this.#redeliveryDelayMs === undefined) return true;
      }
      if (!this.#active) return false;
      await this.#sleep(this.#redeliveryDelayMs);
      if (!this.#active) return false;
      await this.#settle(() => this.#source.renew(row.seq));
    }
  }

  /** Bookkeeping after a delivery. While the backend closes it runs directly on the still-open connection. */
  async #settle(fn: () => void): Promise<void> {
    const { lifecycle, db } = this.#shared;
    if (lifecycle.closed) {
      if (!db.open || db.inTransaction) return; // the claim's lease frees it later
      try {
        fn();
      } catch {
        // Best effort: an unacknowledged message is delivered again (at-least-once).
      }
      return;
    }
    try {
      await this.#shared.run(fn);
    } catch {
      // Closing or busy: an unacknowledged message is delivered again (at-least-once).
    }
  }

  /** Ref'd on purpose: a waiting subscription keeps the process alive until it stops. */
  #sleep(ms: number, cancel?: AbortSignal): Promise<void> {
    const signals = [this.#stopped.signal, this.#shared.lifecycle.signal, ...(cancel ? [cancel] : [])];
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        for (const s of signals) s.removeEventListener("abort", done);
        resolve();
      }
      for (const s of signals) s.addEventListener("abort", done, { once: true });
    });
  }

  /** Stops delivery and waits for an in-flight handler. Idempotent. */
  unsubscribe(): Promise<void> {
    this.#stopped.abort();
    return this.#done;
  }
}
