import {
  type OutgoingMessage,
  RETAINED_MESSAGES,
  subscriberPositions,
  type TransportDriver,
} from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import type { SqliteShared } from "./shared.js";
import { sqliteWake } from "./sqlite-executor.js";
import { sqliteSource } from "./transport-source.js";
import * as Q from "./transport-sql.js";

/**
 * Stores the messages not deduplicated away; returns each one's sequence number (null for
 * a dropped repeat). Inside the write transaction.
 */
function append(
  shared: SqliteShared,
  channel: string,
  messages: readonly OutgoingMessage[],
  windowMs: number,
): (string | null)[] {
  const { prepare } = shared;
  const now = Date.now();
  prepare(Q.PRUNE_DEDUP).run(channel, now);
  const fresh = messages.map(
    ({ message: { idempotencyKey } }) =>
      idempotencyKey === undefined || prepare(Q.DEDUP).get(channel, idempotencyKey, now + windowMs, now) !== undefined,
  );
  const accepted = messages.filter((_, i) => fresh[i]);
  if (accepted.length === 0) return fresh.map(() => null);
  const next = prepare(Q.RESERVE).pluck().get(channel, accepted.length) as number;
  const first = next - accepted.length;
  const insert = prepare(Q.INSERT);
  accepted.forEach(({ message: m, text, notBefore }, i) => {
    const { id, headers, publishedAt, idempotencyKey } = m;
    insert.run(
      channel,
      first + i,
      id,
      text,
      JSON.stringify(headers),
      publishedAt,
      idempotencyKey ?? null,
      notBefore ?? null,
    );
  });
  let keepFrom = next - RETAINED_MESSAGES;
  for (const sql of [Q.MIN_GROUP, Q.MIN_CLAIM]) {
    const min = prepare(sql).pluck().get(channel) as number | null;
    if (min !== null) keepFrom = Math.min(keepFrom, min);
  }
  keepFrom = Math.min(keepFrom, subscriberPositions(shared).lowest(channel) ?? keepFrom);
  if (keepFrom > 0) prepare(Q.TRIM).run(channel, keepFrom);
  let seq = first;
  return fresh.map((stored) => (stored ? String(seq++) : null));
}

/**
 * The SQLite transport's storage, for `createTransport`: an outbox table (`core_outbox`)
 * with a dense sequence per channel, shared by every transport and process using the
 * file. Plain subscribers read from an in-memory cursor; a group's position and claims
 * live in tables, so the group resumes after a restart and each message goes to exactly
 * one member (in any process). Idempotency keys are remembered per channel for
 * `dedupWindowMs`. `send` reports each message's sequence number; `delayMs` is stored as
 * `not_before`. The layer delivers (at-least-once, or at-most-once in ephemeral mode).
 *
 * @example
 * ```ts
 * const bus = createTransport(sqliteTransportDriver(shared), { redeliveryDelayMs: 50 });
 * await bus.subscribe("orders", (m) => console.log(m.payload), { group: "shipping" });
 * ```
 */
export function sqliteTransportDriver(shared: SqliteShared): TransportDriver {
  const wake = sqliteWake(shared);
  return {
    name: BACKEND,
    lifecycle: shared.lifecycle,
    encodes: "payload",
    modes: ["durable", "ephemeral"],
    run: shared.run as TransportDriver["run"],
    storesNotBefore: true,
    send(channel, messages, settings) {
      const ids = shared.write(() => append(shared, channel, messages, settings.dedupWindowMs));
      if (ids.some((id) => id !== null)) wake.notify?.(`t:${channel}`);
      return { ids };
    },
    open(channel, { group, fromStart }) {
      const { prepare } = shared;
      const next = (prepare(Q.NEXT_SEQ).pluck().get(channel) as number | undefined) ?? 0;
      const start = fromStart ? ((prepare(Q.FIRST_KEPT).pluck().get(channel) as number | null) ?? next) : next;
      if (group === undefined) {
        const cursor = { position: start };
        return sqliteSource(shared, wake, channel, { cursor, end: subscriberPositions(shared).add(channel, cursor) });
      }
      // A new group starts here; an existing one keeps its position (fromStart never rewinds).
      prepare(Q.CREATE_GROUP).run(channel, group, start);
      return sqliteSource(shared, wake, channel, { group });
    },
  };
}
