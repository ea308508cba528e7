import type { SqlCacheStatements } from "@core/protocols/kit";

const LIVE = "(expires_at IS NULL OR expires_at > now())";
// Number.MAX_SAFE_INTEGER: counters beyond it would come back inexact.
const SAFE = "9007199254740991";
const EXPIRY = (p: string) => `now() + ${p}::float8 * interval '1 millisecond'`;

/**
 * The statements of a cache, built once per table, in the kit's slots ($1 namespace, $2
 * key(s), $3 value(s) or `by`, $4 TTL ms, $5 maxEntries). Expiry uses the server's clock,
 * so every process agrees on what is expired; every write refreshes recency.
 *
 * @example
 * ```ts
 * const sql = cacheStatements('"core".cache_entries', '"core".cache_touch');
 * await pool.query(sql.get, [ns, key]);
 * ```
 */
export function cacheStatements(table: string, touchSeq: string): SqlCacheStatements & { unprepared: Set<string> } {
  const touch = `nextval('${touchSeq.replaceAll("'", "''")}')`;
  const set = `INSERT INTO ${table} AS t (ns, key, value, expires_at, touched)
      VALUES ($1, $2, $3, ${EXPIRY("$4")}, ${touch})
      ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, touched = excluded.touched`;
  // Rows take `touched` in batch order (ORDER BY ord), so the batch's last key is its newest.
  const setMany = `INSERT INTO ${table} AS t (ns, key, value, expires_at, touched)
      SELECT $1, u.k, u.v, ${EXPIRY("u.ttl")}, ${touch}
      FROM unnest($2::text[], $3::text[], $4::float8[]) WITH ORDINALITY AS u(k, v, ttl, ord) ORDER BY u.ord
      ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, touched = excluded.touched`;
  // The same without expiry (no entry has a TTL): no array of nulls to send and expand.
  const setManyForever = `INSERT INTO ${table} AS t (ns, key, value, expires_at, touched)
      SELECT $1, u.k, u.v, NULL, ${touch}
      FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(k, v, ord) ORDER BY u.ord
      ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, touched = excluded.touched`;
  // Writes only over an absent or expired row; a returned row means "written".
  const add = `INSERT INTO ${table} AS t (ns, key, value, expires_at, touched)
      VALUES ($1, $2, $3, ${EXPIRY("$4")}, ${touch})
      ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, touched = excluded.touched
      WHERE t.expires_at IS NOT NULL AND t.expires_at <= now()
      RETURNING 1`;
  // A non-integer value fails the ::bigint cast (SQLSTATE 22P02) and nothing changes. A
  // stored value or a result outside the safe-integer range fails the WHERE: no row comes
  // back (the caller's INVALID_ARGUMENT) and nothing changes. A new row holds `$3`, already safe.
  const current = "(CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= now() THEN 0 ELSE t.value::bigint END)";
  const increment = `INSERT INTO ${table} AS t (ns, key, value, expires_at, touched)
      VALUES ($1, $2, ($3::bigint)::text, ${EXPIRY("$4")}, ${touch})
      ON CONFLICT (ns, key) DO UPDATE SET
        value = (${current} + $3::bigint)::text,
        expires_at = CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= now() THEN excluded.expires_at ELSE t.expires_at END,
        touched = excluded.touched
      WHERE abs(${current}) <= ${SAFE} AND abs(${current} + $3::bigint) <= ${SAFE}
      RETURNING value`;
  // A write and its maxEntries eviction (`$5`) as one statement. Every part of a statement
  // sees the same snapshot, so the written keys are invisible to the eviction: it keeps
  // `keep` other rows (maxEntries minus the written keys) and never touches written ones.
  const evicting = (write: string, others: string, keep: string, out: string) => `WITH w AS (${write}),
      victims AS (
        SELECT key, ${LIVE} AS live FROM ${table} WHERE ns = $1 AND ${others} AND EXISTS (SELECT 1 FROM w)
        ORDER BY ${LIVE} DESC, touched DESC OFFSET ${keep}
      ), d AS (
        DELETE FROM ${table} t USING victims WHERE t.ns = $1 AND t.key = victims.key RETURNING victims.live
      )
      SELECT ${out}, (SELECT count(*) FILTER (WHERE live) FROM d) AS evicted`;
  const one = (write: string, out: string) => evicting(write, "key <> $2", "$5::bigint - 1", out);
  const statements = {
    get: `SELECT value FROM ${table} WHERE ns = $1 AND key = $2 AND ${LIVE}`,
    getTouch: `UPDATE ${table} SET touched = ${touch} WHERE ns = $1 AND key = $2 AND ${LIVE} RETURNING value`,
    // A join with the key array rather than `key = ANY($2)`: prepared, the latter's generic
    // plan tests every row of the namespace against every key when the table is small and
    // has no statistics yet (measured: getMany(100) over 1000 entries 1.75 ms with `= ANY`,
    // ~0.6 ms joined); a join probes the primary key once per key at every size.
    getMany: `SELECT c.key, c.value FROM unnest($2::text[]) AS k(key)
      JOIN ${table} c ON c.ns = $1 AND c.key = k.key WHERE ${LIVE}`,
    getManyTouch: `UPDATE ${table} SET touched = ${touch} WHERE ns = $1 AND key = ANY($2::text[]) AND ${LIVE} RETURNING key, value`,
    set,
    setTouch: set,
    setEvict: one(`${set} RETURNING 1`, "1 AS written"),
    setMany,
    setManyForever,
    // Only when the batch has at most maxEntries distinct keys (else `setMany` + `evict`).
    setManyEvict: evicting(
      `${setMany} RETURNING 1`,
      "key <> ALL($2::text[])",
      "$5::bigint - cardinality($2::text[])",
      "1 AS written",
    ),
    add,
    addEvict: one(add, "(SELECT count(*) FROM w) AS written"),
    increment,
    incrementEvict: one(increment, "(SELECT value FROM w) AS value"),
    deleteMany: `WITH d AS (DELETE FROM ${table} WHERE ns = $1 AND key = ANY($2::text[]) RETURNING ${LIVE} AS live)
      SELECT count(*) FILTER (WHERE live) AS n FROM d`,
    ttl: `SELECT CASE WHEN expires_at IS NULL THEN NULL
        ELSE greatest(1, ceil(extract(epoch FROM (expires_at - now())) * 1000)) END AS ms
      FROM ${table} WHERE ns = $1 AND key = $2 AND ${LIVE}`,
    keysPage: `SELECT key FROM ${table} WHERE ns = $1 AND key > $2 AND key LIKE $3 AND ${LIVE}
      ORDER BY key LIMIT $4`,
    clear: `WITH d AS (DELETE FROM ${table} WHERE ns = $1 RETURNING ${LIVE} AS live)
      SELECT count(*) FILTER (WHERE live) AS n FROM d`,
    count: `SELECT count(*) FILTER (WHERE ${LIVE}) AS n, count(*) AS stored FROM ${table} WHERE ns = $1`,
    sweep: `DELETE FROM ${table} WHERE ns = $1 AND expires_at <= now()`,
    // Keeps the newest `$2` live rows; expired rows go first and are not counted as evictions.
    evict: [
      `WITH victims AS (
        SELECT key, ${LIVE} AS live FROM ${table} WHERE ns = $1
        ORDER BY ${LIVE} DESC, touched DESC OFFSET $2
      ), d AS (
        DELETE FROM ${table} t USING victims WHERE t.ns = $1 AND t.key = victims.key RETURNING victims.live
      )
      SELECT count(*) FILTER (WHERE live) AS evicted FROM d`,
    ],
  };
  // Statements filtering by `= ANY` / `<> ALL` over an array parameter run unprepared
  // (see `query` in db.ts): a custom plan hashes the array, a generic one scans it per row.
  const unprepared = new Set([statements.getManyTouch, statements.deleteMany, statements.setManyEvict]);
  return { ...statements, unprepared };
}

/**
 * A `LIKE` pattern matching every string that starts with `prefix` (`%`, `_` and `\`
 * escaped with the default escape character).
 *
 * @example
 * ```ts
 * likePrefix("100%_"); // "100\\%\\_%"
 * ```
 */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, "\\$&")}%`;
}
