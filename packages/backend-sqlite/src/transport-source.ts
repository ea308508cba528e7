import type { DeliverySource, StoredMessage, WakeSource } from "@core/protocols/kit";
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
  not_before: number | null;
}

function stored(row: Row | undefined): StoredMessage | undefined {
  if (row === undefined) return undefined;
  const fields = { id: row.id, headers: JSON.parse(row.headers), publishedAt: row.published_at };
  const message = {
    seq: row.seq,
    text: row.payload,
    fields: row.idempotency_key === null ? fields : { ...fields, idempotencyKey: row.idempotency_key },
  };
  return row.not_before === null ? message : { ...message, notBefore: row.not_before };
}

/** Positions of one subscription: synchronous SQL, run by the caller on the connection. */
interface Positions {
  take(): Row | undefined;
  ack(seq: number): void;
  renew(seq: number): void;
  release(seq: number): void;
}

/**
 * A plain subscriber's positions: every message from its cursor on, in order. The cursor
 * is in memory (registered in `cursors` so `send` does not trim what it still needs).
 */
function cursorPositions(shared: SqliteShared, channel: string, cursor: { position: number }): Positions {
  return {
    take: () => shared.prepare(Q.MESSAGE_FROM).get(channel, cursor.position) as Row | undefined,
    ack: (seq) => {
      cursor.position = seq + 1;
    },
    renew: () => {},
    release: () => {},
  };
}

/**
 * A group member's positions: claims in `core_outbox_claims` (released or expired ones
 * first, oldest first, then the group's next message), each claim taken inside
 * `BEGIN IMMEDIATE` so exactly one member — in any process — holds a message at a time.
 */
function groupPositions(shared: SqliteShared, channel: string, group: string): Positions {
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
  };
}

/** Bookkeeping after a delivery. While the backend closes it runs directly on the still-open connection. */
async function settle(shared: SqliteShared, fn: () => void): Promise<void> {
  const { lifecycle, db } = shared;
  if (lifecycle.closed) {
    if (!db.open || db.inTransaction) return; // the claim's lease frees it later
    fn();
    return;
  }
  await shared.run(fn);
}

/**
 * A SQLite subscription's {@link DeliverySource}: a plain subscriber's in-memory cursor
 * (`cursor`, registered so sends keep what it still needs) or, with `group`, the group's
 * claims. Woken at once by sends of this backend and within ~25 ms for other processes
 * (`PRAGMA data_version`); idle members look again every second for expired claims.
 *
 * @example
 * ```ts
 * const source = sqliteSource(shared, sqliteWake(shared), "orders", { group: "shipping" });
 * ```
 */
export function sqliteSource(
  shared: SqliteShared,
  wake: WakeSource,
  channel: string,
  from: { group: string } | { cursor: { position: number }; end: () => void },
): DeliverySource {
  const positions =
    "group" in from ? groupPositions(shared, channel, from.group) : cursorPositions(shared, channel, from.cursor);
  const key = `t:${channel}`;
  const waiter = wake.arm(key);
  return {
    take: () => shared.run(() => stored(positions.take())),
    ack: (message) => settle(shared, () => positions.ack(message.seq as number)),
    renew: (message) => settle(shared, () => positions.renew(message.seq as number)),
    release: async (message) => {
      await settle(shared, () => positions.release(message.seq as number));
      wake.notify?.(key);
    },
    wait: (signal) => waiter.wait(IDLE_RECHECK_MS, signal),
    end: () => {
      waiter.dispose();
      if (!("group" in from)) from.end();
    },
  };
}
