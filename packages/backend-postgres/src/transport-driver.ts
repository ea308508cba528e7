import { RETAINED_MESSAGES, subscriberPositions, type TransportDriver } from "@core/protocols/kit";
import { query } from "./db.js";
import { BACKEND } from "./errors.js";
import { encodeKey } from "./keys.js";
import type { StoreShared } from "./shared.js";
import { transportStatements } from "./transport-sql.js";
import { ChannelSubscription } from "./transport-subscription.js";

/** Each message's sequence number (null for a repeat of a key), from the send statement's row. */
function sequenceIds(count: number, row: { first: string; stored: number[] | null } | undefined): (string | null)[] {
  const ids: (string | null)[] = new Array(count).fill(null);
  if (row === undefined) return ids;
  const first = BigInt(row.first);
  (row.stored ?? []).forEach((position, i) => {
    ids[position - 1] = String(first + BigInt(i));
  });
  return ids;
}

/**
 * The Postgres transport's storage, for `createTransport` (durable only: `mode:
 * "ephemeral"` is `NOT_SUPPORTED`). An outbox table per schema with a sequence per
 * channel, group positions in a table (claimed with `FOR UPDATE SKIP LOCKED`), idempotency
 * keys with an expiry, NOTIFY to wake subscribers. Each `send` is one statement that also
 * trims the channel's outbox to the newest `RETAINED_MESSAGES` plus whatever a group or a
 * plain subscriber of this backend has not delivered yet. Delivery is native (a read loop
 * per subscriber); the layer retries a failing handler after `redeliveryDelayMs`. `send`
 * reports each message's sequence number; `delayMs` travels inside the stored message.
 *
 * @example
 * ```ts
 * const bus = createTransport(postgresTransportDriver(shared), { redeliveryDelayMs: 50 });
 * await bus.subscribe("orders", handle, { group: "shipping" });
 * ```
 */
export function postgresTransportDriver(shared: StoreShared): TransportDriver {
  const sql = transportStatements(shared.quotedSchema);
  let sends = 0;
  return {
    name: BACKEND,
    lifecycle: shared.lifecycle,
    encodes: "message",
    modes: ["durable"],
    async send(channel, messages, { dedupWindowMs }) {
      const bodies: string[] = [];
      const keys: (string | null)[] = [];
      for (const { message, text } of messages) {
        bodies.push(text);
        keys.push(message.idempotencyKey === undefined ? null : encodeKey(message.idempotencyKey));
      }
      const result = await query<{ first: string; stored: number[] | null }>(shared, "transport.send", sql.send, [
        channel,
        bodies,
        keys,
        dedupWindowMs,
        shared.notifyChannel,
        `t:${channel}`,
        RETAINED_MESSAGES,
        subscriberPositions(shared).lowest(channel) ?? null,
      ]);
      // Expired idempotency keys are reclaimed now and then, never on the hot path's critical part.
      if (++sends % 100 === 0) await query(shared, "transport.send", sql.sweepDedup, [channel]).catch(() => {});
      return { ids: sequenceIds(messages.length, result.rows[0]) };
    },
    subscribe: (channel, start, deliver, signal) =>
      ChannelSubscription.start(shared, sql, channel, start, deliver, signal),
  };
}
