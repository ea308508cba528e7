/**
 * The statements of the transport, built once per schema. `$1` is always the channel.
 *
 * `send` is one statement: idempotency keys are claimed with `INSERT … ON CONFLICT`
 * (a key still inside its window is not returned, so its message is dropped), the
 * channel's counter row assigns consecutive sequence numbers (its lock, held to commit,
 * makes commit order sequence order) and NOTIFY wakes subscribers at commit. The same
 * statement trims the outbox: it keeps the newest `$7` messages of the channel plus
 * everything a group (`transport_groups`) or an in-process plain subscriber (`$8`, the
 * lowest position, or null) has not delivered yet. `least()` ignores nulls. It returns
 * the first sequence number given and the 1-based batch positions of the stored messages.
 *
 * @example
 * ```ts
 * const sql = transportStatements('"core"');
 * ```
 */
export function transportStatements(schema: string) {
  const channels = `${schema}.transport_channels`;
  const messages = `${schema}.transport_messages`;
  const groups = `${schema}.transport_groups`;
  const dedup = `${schema}.transport_dedup`;
  return {
    send: `WITH claimed AS (
        INSERT INTO ${dedup} AS d (channel, key, expires_at)
        SELECT $1, k, now() + $4::float8 * interval '1 millisecond' FROM unnest($3::text[]) AS k WHERE k IS NOT NULL
        ON CONFLICT (channel, key) DO UPDATE SET expires_at = excluded.expires_at WHERE d.expires_at <= now()
        RETURNING key
      ), accepted AS (
        SELECT m.body, m.ord, row_number() OVER (ORDER BY m.ord) AS n
        FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS m(body, key, ord)
        WHERE m.key IS NULL OR m.key IN (SELECT key FROM claimed)
      ), c AS (
        INSERT INTO ${channels} AS t (channel, next_seq) VALUES ($1, (SELECT count(*) FROM accepted))
        ON CONFLICT (channel) DO UPDATE SET next_seq = t.next_seq + (SELECT count(*) FROM accepted)
        RETURNING t.next_seq - (SELECT count(*) FROM accepted) AS first
      ), ins AS (
        INSERT INTO ${messages} (channel, seq, body) SELECT $1, c.first + a.n - 1, a.body FROM c, accepted a
      ), trimmed AS (
        DELETE FROM ${messages} m USING c
        WHERE m.channel = $1 AND m.seq < least(
          c.first + (SELECT count(*) FROM accepted) - $7::bigint,
          (SELECT min(g.next_seq) FROM ${groups} g WHERE g.channel = $1),
          $8::bigint)
      )
      SELECT c.first::text AS first, (SELECT array_agg(a.ord::int ORDER BY a.n) FROM accepted a) AS stored,
        pg_notify($5, $6) FROM c`,
    sweepDedup: `DELETE FROM ${dedup} WHERE channel = $1 AND expires_at <= now()`,
    head: `SELECT coalesce((SELECT next_seq FROM ${channels} WHERE channel = $1), 0) AS next`,
    read: `SELECT seq, body FROM ${messages} WHERE channel = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
    // A new group starts at new messages (or at 0 = the oldest kept); an existing one keeps its place.
    createGroup: `INSERT INTO ${groups} (channel, grp, next_seq)
      VALUES ($1, $2, CASE WHEN $3::boolean THEN 0 ELSE coalesce((SELECT next_seq FROM ${channels} WHERE channel = $1), 0) END)
      ON CONFLICT (channel, grp) DO NOTHING`,
    // Competing consumers: whoever holds the group row's lock delivers; the others skip.
    claimGroup: `SELECT next_seq FROM ${groups} WHERE channel = $1 AND grp = $2 FOR UPDATE SKIP LOCKED`,
    advanceGroup: `UPDATE ${groups} SET next_seq = $3 WHERE channel = $1 AND grp = $2`,
  };
}
