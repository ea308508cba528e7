/**
 * The statements of the queue, built once per schema. `$1` is always the storage topic.
 *
 * `append` takes the per-topic counter row with `INSERT … ON CONFLICT DO UPDATE` (the row
 * lock is held to commit, so commit order is offset order and a reader that sees offset n
 * sees every offset below it), inserts the batch from `unnest` at consecutive offsets and
 * NOTIFYs in the same transaction: one statement, one round trip.
 *
 * @example
 * ```ts
 * const sql = queueStatements('"core"');
 * await pool.query(sql.append, [topic, texts, Date.now(), channel, `q:${topic}`]);
 * ```
 */
export function queueStatements(schema: string) {
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
      SELECT first, pg_notify($4, $5) FROM c`,
    // `append` of one entry: the same counter row, lock and NOTIFY, the text bound directly.
    appendOne: `WITH c AS (
        INSERT INTO ${topics} AS t (topic, next_offset) VALUES ($1, 1)
        ON CONFLICT (topic) DO UPDATE SET next_offset = t.next_offset + 1
        RETURNING t.next_offset - 1 AS first
      ), ins AS (
        INSERT INTO ${entries} (topic, "offset", value, ts) SELECT $1, c.first, $2, $3 FROM c
      )
      SELECT first, pg_notify($4, $5) FROM c`,
    // A topic's entries are one dense run of offsets (appends are dense, trim only drops a
    // prefix), so the first `$3` entries from `$2` lie below max($2, first offset) + $3.
    // The redundant upper bound caps the rows any plan reads at the limit: without it the
    // planner may fetch the rest of the topic and sort it (seen with stale statistics).
    read: `SELECT "offset", value, ts FROM ${entries} WHERE topic = $1 AND "offset" >= $2::bigint
        AND "offset" < greatest($2::bigint, (SELECT min("offset") FROM ${entries} WHERE topic = $1)) + $3::bigint
      ORDER BY "offset" LIMIT $3`,
    count: `SELECT next_offset FROM ${topics} WHERE topic = $1`,
    stats: `SELECT coalesce((SELECT next_offset FROM ${topics} WHERE topic = $1), 0) AS total,
        (SELECT min("offset") FROM ${entries} WHERE topic = $1) AS first`,
    trimBefore: `DELETE FROM ${entries} WHERE topic = $1 AND "offset" < $2`,
    trimMaxLength: `DELETE FROM ${entries} WHERE topic = $1
        AND "offset" < (SELECT next_offset - $2 FROM ${topics} WHERE topic = $1)`,
    commit: `INSERT INTO ${groups} (topic, grp, next_offset) VALUES ($1, $2, $3)
        ON CONFLICT (topic, grp) DO UPDATE SET next_offset = excluded.next_offset`,
    committed: `SELECT next_offset FROM ${groups} WHERE topic = $1 AND grp = $2`,
    groupState: `SELECT state FROM ${groupStates} WHERE topic = $1 AND grp = $2`,
    // Compare-and-set: the first record only where there is none, later ones only over the one read.
    groupStateCreate: `INSERT INTO ${groupStates} (topic, grp, state) VALUES ($1, $2, $3) ON CONFLICT (topic, grp) DO NOTHING`,
    groupStateSwap: `UPDATE ${groupStates} SET state = $3 WHERE topic = $1 AND grp = $2 AND state = $4`,
  };
}
