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
import { BACKEND } from "./errors.js";
import type { SqliteShared } from "./shared.js";
import * as Q from "./transport-sql.js";
import { cursorSource, groupSource, SqliteSubscription } from "./transport-subscription.js";

/** Messages kept per channel beyond what groups and subscribers still need, for `fromStart`. */
export const RETAINED_MESSAGES = 1000;

interface Prepared {
  id: string;
  payload: string;
  headers: string;
  publishedAt: number;
  idempotencyKey: string | null;
}

// Plain subscribers' cursors per backend and channel, so `send` keeps what they still need.
const cursorsByBackend = new WeakMap<SqliteShared, Map<string, Set<{ position: number }>>>();

function cursorsOf(shared: SqliteShared, channel: string): Set<{ position: number }> {
  let byChannel = cursorsByBackend.get(shared);
  if (byChannel === undefined) {
    byChannel = new Map();
    cursorsByBackend.set(shared, byChannel);
  }
  let cursors = byChannel.get(channel);
  if (cursors === undefined) {
    cursors = new Set();
    byChannel.set(channel, cursors);
  }
  return cursors;
}

/** Encodes one validated message for the outbox row. */
function prepare(message: Message, index: number): Prepared {
  const { id, payload, headers, publishedAt, idempotencyKey } = message;
  const text = encodeMessageBody(BACKEND, payload, index);
  return { id, payload: text, headers: JSON.stringify(headers), publishedAt, idempotencyKey: idempotencyKey ?? null };
}

/**
 * The SQLite transport: an outbox table (`core_outbox`) with a dense sequence per
 * channel, shared by every transport and process using the file. Plain subscribers read
 * from an in-memory cursor; a group's position and claims live in tables, so the group
 * resumes after a restart and each message goes to exactly one member (in any process).
 * At-least-once: a handler that throws gets the message again after `redeliveryDelayMs`
 * (default 100). Idempotency keys are remembered per channel for `dedupWindowMs`
 * (default 24 h). Subscribers wake at once for sends of this backend and within ~25 ms
 * for other processes (`PRAGMA data_version`). `mode: "ephemeral"` turns redelivery off.
 *
 * @example
 * ```ts
 * const bus = createSqliteTransport(shared, { redeliveryDelayMs: 50 });
 * await bus.subscribe("orders", (m) => console.log(m.payload), { group: "shipping" });
 * ```
 */
export function createSqliteTransport(shared: SqliteShared, options: TransportOptions = {}): Transport {
  const { redeliveryDelayMs, dedupWindowMs } = resolveTransportOptions(BACKEND, options);
  return new SqliteTransport(shared, redeliveryDelayMs, dedupWindowMs);
}

class SqliteTransport implements Transport {
  readonly name = BACKEND;
  readonly delivery: "at-least-once" | "at-most-once";
  readonly #shared: SqliteShared;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #dedupWindowMs: number;
  readonly #subscriptions: TransportSubscriptions;

  constructor(shared: SqliteShared, redeliveryDelayMs: number | undefined, dedupWindowMs: number) {
    this.#shared = shared;
    this.#redeliveryDelayMs = redeliveryDelayMs;
    this.#dedupWindowMs = dedupWindowMs;
    this.delivery = redeliveryDelayMs === undefined ? "at-most-once" : "at-least-once";
    this.#subscriptions = new TransportSubscriptions(BACKEND, shared.lifecycle);
  }

  #assertOpen(): void {
    this.#subscriptions.assertOpen();
  }

  send(channel: string, messages: readonly Message[]): Promise<void> {
    let prepared: Prepared[];
    try {
      this.#assertOpen();
      prepared = validateSend(BACKEND, channel, messages, prepare);
    } catch (err) {
      return Promise.reject(err);
    }
    if (prepared.length === 0) return this.#shared.run(() => undefined);
    return this.#shared.run(() => {
      if (this.#shared.write(() => this.#append(channel, prepared)) > 0) {
        this.#shared.notifier.notify(`outbox:${channel}`);
      }
    });
  }

  /** Stores the messages not deduplicated away; returns how many. Inside the write transaction. */
  #append(channel: string, messages: Prepared[]): number {
    const { prepare } = this.#shared;
    const now = Date.now();
    prepare(Q.PRUNE_DEDUP).run(channel, now);
    const accepted = messages.filter(
      (m) =>
        m.idempotencyKey === null ||
        prepare(Q.DEDUP).get(channel, m.idempotencyKey, now + this.#dedupWindowMs, now) !== undefined,
    );
    if (accepted.length === 0) return 0;
    const next = prepare(Q.RESERVE).pluck().get(channel, accepted.length) as number;
    const first = next - accepted.length;
    const insert = prepare(Q.INSERT);
    accepted.forEach((m, i) => {
      insert.run(channel, first + i, m.id, m.payload, m.headers, m.publishedAt, m.idempotencyKey);
    });
    let keepFrom = next - RETAINED_MESSAGES;
    for (const sql of [Q.MIN_GROUP, Q.MIN_CLAIM]) {
      const min = prepare(sql).pluck().get(channel) as number | null;
      if (min !== null) keepFrom = Math.min(keepFrom, min);
    }
    for (const cursor of cursorsOf(this.#shared, channel)) keepFrom = Math.min(keepFrom, cursor.position);
    if (keepFrom > 0) prepare(Q.TRIM).run(channel, keepFrom);
    return accepted.length;
  }

  subscribe(channel: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    let group: string | undefined;
    let fromStart: boolean;
    try {
      this.#assertOpen();
      ({ group, fromStart } = validateSubscribe(BACKEND, channel, handler, options));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      const { prepare } = this.#shared;
      const next = (prepare(Q.NEXT_SEQ).pluck().get(channel) as number | undefined) ?? 0;
      const start = fromStart ? ((prepare(Q.FIRST_KEPT).pluck().get(channel) as number | null) ?? next) : next;
      let source: ReturnType<typeof cursorSource>;
      if (group === undefined) {
        source = cursorSource(this.#shared, channel, start, cursorsOf(this.#shared, channel));
      } else {
        // A new group starts here; an existing one keeps its position (fromStart never rewinds).
        prepare(Q.CREATE_GROUP).run(channel, group, start);
        source = groupSource(this.#shared, channel, group);
      }
      const subscription = new SqliteSubscription(
        this.#shared,
        `outbox:${channel}`,
        source,
        handler,
        this.#redeliveryDelayMs,
      );
      return this.#subscriptions.track(subscription);
    });
  }

  close(): Promise<void> {
    return this.#subscriptions.close();
  }
}
