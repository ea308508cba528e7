import type { SqlCacheStatements } from "@core/protocols/kit";

// Slots as in SqlCacheStatements ($1 namespace, $2 key(s), $3 value, $4 TTL ms, $5
// maxEntries), `$now` the caller's clock; arrays arrive as JSON (json_each).

// A seek to the newest entry of core_cache_recency: `max(accessed)` with `ns = ?` would
// scan every entry of the namespace on each write.
const NEXT_ACCESS = "coalesce((SELECT accessed FROM core_cache WHERE ns = $1 ORDER BY accessed DESC LIMIT 1), 0) + 1";
const LIVE = "(expires_at IS NULL OR expires_at > $now)";
const EXPIRED = "core_cache.expires_at <= $now";
/** Entries stored (live or not yet swept), kept by triggers once the first maxEntries write started counting. */
const SIZE = "(SELECT entries FROM core_cache_sizes WHERE ns = $1)";
const INSERT = `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
  VALUES ($1, $2, $3, $now + $4, ${NEXT_ACCESS}) ON CONFLICT (ns, key) DO UPDATE SET`;

/**
 * A write of a cache without maxEntries: a new entry still gets the next recency (another
 * handle of the namespace may evict), but an overwrite leaves `accessed` alone: moving its
 * core_cache_recency entry on every write costs more pages per commit (and so more
 * checkpoints) than the whole rest of the write. One upsert, not an UPDATE first: a
 * missed UPDATE is an empty write transaction, which costs a new key far more.
 */
const set = `${INSERT} value = excluded.value, expires_at = excluded.expires_at`;

const setRowsTexts = new Map<string, string>();

/**
 * `count` rows in one statement from constants (ns, key, value, expires_at, accessed per
 * row; the kit reads `nextAccess` once per batch and numbers the rows in batch order).
 * SQLite applies repeated keys in order, so the last one wins as in a loop of single writes.
 */
function setRows(count: number, touch: boolean): string {
  const id = `${count}${touch ? "t" : ""}`;
  let text = setRowsTexts.get(id);
  if (text === undefined) {
    text = `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
      VALUES ${Array(count).fill("(?, ?, ?, ?, ?)").join(", ")}
      ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
      ${touch ? ", accessed = excluded.accessed" : ""}`;
    setRowsTexts.set(id, text);
  }
  return text;
}

/**
 * @key, @by, @expires (of a new entry), @now. One statement: a missing or expired entry
 * restarts at `$3` with the TTL; a live canonical integer within the safe range gets `$3`
 * added and keeps its TTL; anything else is left alone and no row comes back.
 */
const increment = (touch: boolean) => `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
  VALUES ($1, $2, CAST(CAST($3 AS INTEGER) AS TEXT), $now + $4, ${NEXT_ACCESS})
  ON CONFLICT (ns, key) DO UPDATE SET
    value = CASE WHEN ${EXPIRED} THEN excluded.value
                 ELSE CAST(CAST(core_cache.value AS INTEGER) + CAST($3 AS INTEGER) AS TEXT) END,
    expires_at = CASE WHEN ${EXPIRED} THEN excluded.expires_at ELSE core_cache.expires_at END
    ${touch ? ", accessed = excluded.accessed" : ""}
  WHERE ${EXPIRED}
     OR (CAST(CAST(core_cache.value AS INTEGER) AS TEXT) = core_cache.value
         AND abs(CAST(core_cache.value AS INTEGER) + CAST($3 AS INTEGER)) <= 9007199254740991)
  RETURNING value`;

/**
 * The sqlite cache's statements (core_cache, one connection's prepared cache). Reads
 * answer `expires_at` and leave expiry to the store, which deletes what it meets expired.
 *
 * @example
 * ```ts
 * shared.prepare(CACHE_SQL.get).get("sessions", "a");
 * ```
 */
export const CACHE_SQL: SqlCacheStatements = {
  // Positional: the hot read binds two values, not an object.
  get: "SELECT value, expires_at FROM core_cache WHERE ns = ? AND key = ?",
  getTouch: `UPDATE core_cache SET accessed = ${NEXT_ACCESS} WHERE ns = $1 AND key = $2 RETURNING value, expires_at`,
  deleteExpired: "DELETE FROM core_cache WHERE ns = $1 AND key = $2 AND expires_at <= $now",
  getMany: "SELECT key, value, expires_at FROM core_cache WHERE ns = $1 AND key IN (SELECT value FROM json_each($2))",
  // The recency subquery runs once: the keys take consecutive values in batch order.
  getManyTouch: `UPDATE core_cache SET accessed = (${NEXT_ACCESS}) + j.key FROM json_each($2) AS j
    WHERE core_cache.ns = $1 AND core_cache.key = j.value RETURNING key, value, expires_at`,
  set,
  setTouch: `${set}, accessed = excluded.accessed`,
  setRows,
  nextAccess: `SELECT ${NEXT_ACCESS} AS next`,
  add: `${INSERT} value = excluded.value, expires_at = excluded.expires_at, accessed = excluded.accessed
    WHERE ${EXPIRED} RETURNING 1`,
  increment: increment(false),
  incrementTouch: increment(true),
  deleteMany: `DELETE FROM core_cache WHERE ns = $1 AND key IN (SELECT value FROM json_each($2)) RETURNING ${LIVE} AS live`,
  ttl: `SELECT expires_at - $now AS ms FROM core_cache WHERE ns = $1 AND key = $2 AND ${LIVE}`,
  // Keys sharing the glob's literal prefix ($3) are contiguous in BINARY order: a range,
  // not GLOB/LIKE, so keys holding U+0000 work too.
  keysPage: `SELECT key FROM core_cache WHERE ns = $1 AND key > $2 AND key >= $3 AND ${LIVE}
    ORDER BY key LIMIT CAST($4 AS INTEGER)`,
  clear: `DELETE FROM core_cache WHERE ns = $1 RETURNING ${LIVE} AS live`,
  count: `SELECT count(*) FILTER (WHERE ${LIVE}) AS n, count(*) AS stored FROM core_cache WHERE ns = $1`,
  sweep: "DELETE FROM core_cache WHERE ns = $1 AND expires_at <= $now",
  // Eviction reads the kept size (one seek) rather than counting: only the namespace's
  // first maxEntries write counts it (the subquery runs only when the row is missing).
  // Expired entries go first and are not evictions.
  evict: [
    `INSERT INTO core_cache_sizes (ns, entries) SELECT $1, (SELECT count(*) FROM core_cache WHERE ns = $1)
      WHERE NOT EXISTS (SELECT 1 FROM core_cache_sizes WHERE ns = $1)`,
    "SELECT entries - CAST($2 AS INTEGER) AS over FROM core_cache_sizes WHERE ns = $1",
    "DELETE FROM core_cache WHERE ns = $1 AND expires_at <= $now",
    `DELETE FROM core_cache WHERE ns = $1 AND key IN (SELECT key FROM core_cache WHERE ns = $1
      ORDER BY accessed LIMIT max(0, ${SIZE} - CAST($2 AS INTEGER))) RETURNING 1 AS live`,
  ],
};
