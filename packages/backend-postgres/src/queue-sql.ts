import type { SqlQueueStatements } from "@core/protocols/kit";

/**
 * The statements of the queue, built once per schema, for the kit's SQL queue.
 *
 * The appends take the per-topic counter row with `INSERT … ON CONFLICT DO UPDATE` (the
 * row lock is held to commit, so commit order is offset order and a reader that sees
 * offset n sees every offset below it), insert at consecutive offsets (a batch from
 * `unnest`) and NOTIFY `q:<topic>` on `$4` in the same transaction: one round trip.
 *
 * @example
 * ```ts
 * const statements = queueStatements('"core"', "core_events_0123456789ab");
 * ```
 */
export function queueStatements(schema: string, notifyChannel: string): SqlQueueStatements {
  const topics = `${schema}.queue_topics`;
  const entries = `${schema}.queue_entries`;
  const groups = `${schema}.queue_groups`;
  const groupStates = `${schema}.queue_group_states`;
  return {
    append: `WITH c AS (
        INSERT INTO ${topics} AS t (topic, next_offset) VALUES ($1, cardinality($2::text[]))
        ON CONFLICT (topic) DO UPDATE SET next_offset = t.next_offset + cardinality($2::text[])
        RETURNING t.next_offset - cardinality($2::text[]) AS first
      ), ins AS (
        INSERT INTO ${entries} (topic, "offset", value, ts)
        SELECT $1, c.first + v.ord - 1, v.value, $3 FROM c, unnest($2::text[]) WITH ORDINALITY AS v(value, ord)
      )
      SELECT first, pg_notify($4, 'q:' || $1) FROM c`,
    appendOne: `WITH c AS (
        INSERT INTO ${topics} AS t (topic, next_offset) VALUES ($1, 1)
        ON CONFLICT (topic) DO UPDATE SET next_offset = t.next_offset + 1
        RETURNING t.next_offset - 1 AS first
      ), ins AS (
        INSERT INTO ${entries} (topic, "offset", value, ts) SELECT $1, c.first, $2, $3 FROM c
      )
      SELECT first, pg_notify($4, 'q:' || $1) FROM c`,
    batch: (texts) => texts,
    appendParams: [notifyChannel],
    // A topic's entries are one dense run of offsets (appends are dense, trim only drops a
    // prefix), so the first `$3` entries from `$2` lie below max($2, first offset) + $3.
    // The redundant upper bound caps the rows any plan reads at the limit: without it the
    // planner may fetch the rest of the topic and sort it (seen with stale statistics).
    read: `SELECT "offset", value, ts FROM ${entries} WHERE topic = $1 AND "offset" >= $2::bigint
        AND "offset" < greatest($2::bigint, (SELECT min("offset") FROM ${entries} WHERE topic = $1)) + $3::bigint
      ORDER BY "offset" LIMIT $3`,
    next: `SELECT next_offset AS next FROM ${topics} WHERE topic = $1`,
    stats: `SELECT coalesce((SELECT next_offset FROM ${topics} WHERE topic = $1), 0) AS next,
        (SELECT min("offset") FROM ${entries} WHERE topic = $1) AS first`,
    trim: `DELETE FROM ${entries} WHERE topic = $1 AND "offset" < $2`,
    commit: `INSERT INTO ${groups} (topic, grp, next_offset) VALUES ($1, $2, $3)
        ON CONFLICT (topic, grp) DO UPDATE SET next_offset = excluded.next_offset`,
    committed: `SELECT next_offset FROM ${groups} WHERE topic = $1 AND grp = $2`,
    groupState: `SELECT state FROM ${groupStates} WHERE topic = $1 AND grp = $2`,
    // Compare-and-set: the first record only where there is none, later ones only over the one read.
    groupStateCreate: `INSERT INTO ${groupStates} (topic, grp, state) VALUES ($1, $2, $3) ON CONFLICT (topic, grp) DO NOTHING`,
    groupStateSwap: `UPDATE ${groupStates} SET state = $1 WHERE topic = $2 AND grp = $3 AND state = $4`,
  };
}
