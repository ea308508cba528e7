import { RETAINED_MESSAGES, type TransportDriver } from "@core/protocols/kit";
import { query } from "./db.js";
import { BACKEND } from "./errors.js";
import { encodeKey } from "./keys.js";
import type { StoreShared } from "./shared.js";
import { transportStatements } from "./transport-sql.js";
import { ChannelSubscription, lowestPosition } from "./transport-subscription.js";

/**
 * The Postgres transport's storage, for `createTransport` (durable only: `mode:
 * "ephemeral"` is `NOT_SUPPORTED`). An outbox table per schema with a sequence per
 * channel, group positions in a table (claimed with `FOR UPDATE SKIP LOCKED`), idempotency
 * keys with an expiry, NOTIFY to wake subscribers. Each `send` is one statement that also
 * trims the channel's outbox to the newest `RETAINED_MESSAGES` plus whatever a group or a
 * plain subscriber of this backend has not delivered yet. Delivery is native (a read loop
 * per subscriber); the layer retries a failing handler after `redeliveryDelayMs`.
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
      await query(shared, "transport.send", sql.send, [
        channel,
        bodies,
        keys,
        dedupWindowMs,
        shared.notifyChannel,
        `t:${channel}`,
        RETAINED_MESSAGES,
        lowestPosition(shared, channel),
      ]);
      // Expired idempotency keys are reclaimed now and then, never on the hot path's critical part.
      if (++sends % 100 === 0) await query(shared, "transport.send", sql.sweepDedup, [channel]).catch(() => {});
    },
    subscribe: (channel, start, deliver, signal) =>
      ChannelSubscription.start(shared, sql, channel, start, deliver, signal),
  };
}
