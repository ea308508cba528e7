// Statement texts of the cache, prepared once per connection (shared.prepare).
// @ns = namespace everywhere; "live" = no expiry or expiry in the future (?now).

// A seek to the newest entry of core_cache_recency: `max(accessed)` with `ns = ?` would
// scan every entry of the namespace on each write.
const NEXT_ACCESS = "coalesce((SELECT accessed FROM core_cache WHERE ns = @ns ORDER BY accessed DESC LIMIT 1), 0) + 1";
/** {@link NEXT_ACCESS} with a positional namespace. */
const NEXT_ACCESS_AT = NEXT_ACCESS.replace("@ns", "?");
const LIVE = "(expires_at IS NULL OR expires_at > @now)";
const EXPIRED = "core_cache.expires_at <= @now";

/** Positional (ns, key) → value, expires_at: the hot read binds two values, not an object. */
export const GET = "SELECT value, expires_at FROM core_cache WHERE ns = ? AND key = ?";

/** @key, @now: read and refresh recency in one statement (maxEntries caches). */
export const GET_TOUCH = `UPDATE core_cache SET accessed = ${NEXT_ACCESS}
  WHERE ns = @ns AND key = @key AND ${LIVE} RETURNING value`;

/** @key, @now: lazy delete of an expired entry. */
export const DELETE_EXPIRED_KEY = "DELETE FROM core_cache WHERE ns = @ns AND key = @key AND expires_at <= @now";

/** @now: the periodic sweep. */
export const SWEEP = "DELETE FROM core_cache WHERE ns = @ns AND expires_at <= @now";

/** Positional (ns, key, value, expires, ns): a write that refreshes recency (maxEntries caches). */
export const SET = `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
  VALUES (?, ?, ?, ?, ${NEXT_ACCESS_AT})
  ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, accessed = excluded.accessed`;

/**
 * Positional (ns, key, value, expires, ns): a write of a cache without maxEntries. A new entry still gets
 * the next recency (another handle of the namespace may evict), but an overwrite leaves
 * `accessed` alone: moving its core_cache_recency entry on every write costs more pages
 * per commit (and so more checkpoints) than the whole rest of the write.
 */
export const SET_KEEP_RECENCY = `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
  VALUES (?, ?, ?, ?, ${NEXT_ACCESS_AT})
  ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`;

/** @ns → the next recency value (read once per batch, inside its write transaction). */
export const NEXT_ACCESS_VALUE = `SELECT ${NEXT_ACCESS}`;

/** Rows per statement of a batch write ({@link setAtRows}). */
export const SET_AT_ROWS = 32;

const setAtTexts = new Map<string, string>();

/**
 * Positional (ns, key, value, expires, accessed) × `rows`: {@link SET} for batches, which
 * take the recency values from one {@link NEXT_ACCESS_VALUE} read instead of a seek per
 * entry, and write up to {@link SET_AT_ROWS} entries per statement run. A key repeated in
 * one statement is inserted, then updated by its later row: the last value wins, as with
 * one statement per entry. `touch` (maxEntries caches) moves the recency of an
 * overwritten entry too (see SET_KEEP_RECENCY). Texts are built once per shape.
 */
export function setAtRows(rows: number, touch: boolean): string {
  const id = `${rows}:${touch}`;
  let text = setAtTexts.get(id);
  if (text === undefined) {
    text = `INSERT INTO core_cache (ns, key, value, expires_at, accessed) VALUES ${Array(rows).fill("(?, ?, ?, ?, ?)").join(", ")}
  ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at${touch ? ", accessed = excluded.accessed" : ""}`;
    setAtTexts.set(id, text);
  }
  return text;
}

/** @key, @value, @expires, @now: insert unless a live entry exists; a row back = written. */
export const ADD = `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
  VALUES (@ns, @key, @value, @expires, ${NEXT_ACCESS})
  ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, accessed = excluded.accessed
  WHERE ${EXPIRED}
  RETURNING 1`;

/**
 * @key, @by, @expires (of a new entry), @now. One statement: a missing or
 * expired entry restarts at `by` with the default TTL; a live canonical integer within the
 * safe range gets `by` added and keeps its TTL; anything else is left alone and no row
 * comes back (the caller then reports INVALID_ARGUMENT).
 */
const incrementSql = (touch: boolean) => `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
  VALUES (@ns, @key, CAST(CAST(@by AS INTEGER) AS TEXT), @expires, ${NEXT_ACCESS})
  ON CONFLICT (ns, key) DO UPDATE SET
    value = CASE WHEN ${EXPIRED} THEN excluded.value
                 ELSE CAST(CAST(core_cache.value AS INTEGER) + CAST(@by AS INTEGER) AS TEXT) END,
    expires_at = CASE WHEN ${EXPIRED} THEN excluded.expires_at ELSE core_cache.expires_at END
    ${touch ? ", accessed = excluded.accessed" : ""}
  WHERE ${EXPIRED}
     OR (CAST(CAST(core_cache.value AS INTEGER) AS TEXT) = core_cache.value
         AND abs(CAST(core_cache.value AS INTEGER) + CAST(@by AS INTEGER)) <= 9007199254740991)
  RETURNING value`;

/** See incrementSql: the increment of a maxEntries cache (refreshes recency). */
export const INCREMENT = incrementSql(true);

/** {@link INCREMENT} of a cache without maxEntries: recency stays (see SET_KEEP_RECENCY). */
export const INCREMENT_KEEP_RECENCY = incrementSql(false);

/** @key → expires_at of the deleted row. */
export const DELETE = "DELETE FROM core_cache WHERE ns = @ns AND key = @key RETURNING expires_at";

/** @from (exclusive), @now, @limit: live keys in BINARY order. */
export const KEYS_PAGE = `SELECT key FROM core_cache WHERE ns = @ns AND key > @from AND ${LIVE} ORDER BY key LIMIT CAST(@limit AS INTEGER)`;

/** @from (inclusive), @now, @limit. */
export const KEYS_FIRST_PAGE = `SELECT key FROM core_cache WHERE ns = @ns AND key >= @from AND ${LIVE} ORDER BY key LIMIT CAST(@limit AS INTEGER)`;

/** @now → live entries. */
export const COUNT_LIVE = `SELECT count(*) FROM core_cache WHERE ns = @ns AND ${LIVE}`;
/** Live and stored entries of a namespace in one index range scan (stats). */
export const COUNT_SPLIT = `SELECT count(*) FILTER (WHERE ${LIVE}) AS live, count(*) AS stored FROM core_cache WHERE ns = @ns`;

/** Positional (ns) → entries stored (live or not yet swept), kept by triggers; none before the first maxEntries write. */
export const SIZE = "SELECT entries FROM core_cache_sizes WHERE ns = ?";

/** Positional (ns, ns) → entries stored: counts the namespace once and starts keeping its size. */
export const START_SIZE = `INSERT INTO core_cache_sizes (ns, entries)
  SELECT ?, count(*) FROM core_cache WHERE ns = ? RETURNING entries`;

/** Deletes every entry of the namespace. */
export const CLEAR = "DELETE FROM core_cache WHERE ns = @ns";

/** @limit: evicts the least recently used entries, returning their expiry. */
export const EVICT = `DELETE FROM core_cache WHERE ns = @ns AND key IN
  (SELECT key FROM core_cache WHERE ns = @ns ORDER BY accessed LIMIT CAST(@limit AS INTEGER)) RETURNING expires_at`;

/** Key slots of the batched read statements; unused slots are bound to NULL (never equal). */
export const GET_MANY_SIZES = [16, 128, 1024] as const;

/** By size: ns, then `size` keys → key, value, expires_at of the stored ones. Built once. */
export const GET_MANY: ReadonlyMap<number, string> = new Map(
  GET_MANY_SIZES.map((size) => [
    size,
    `SELECT key, value, expires_at FROM core_cache WHERE ns = ? AND key IN (${Array(size).fill("?").join(", ")})`,
  ]),
);
