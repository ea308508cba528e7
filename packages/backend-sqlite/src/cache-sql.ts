// Statement texts of the cache, prepared once per connection (shared.prepare).
// @ns = namespace everywhere; "live" = no expiry or expiry in the future (?now).

const NEXT_ACCESS = "coalesce((SELECT max(accessed) FROM core_cache WHERE ns = @ns), 0) + 1";
const LIVE = "(expires_at IS NULL OR expires_at > @now)";
const EXPIRED = "core_cache.expires_at <= @now";

/** @key → value, expires_at. */
export const GET = "SELECT value, expires_at FROM core_cache WHERE ns = @ns AND key = @key";

/** @key, @now: read and refresh recency in one statement (maxEntries caches). */
export const GET_TOUCH = `UPDATE core_cache SET accessed = ${NEXT_ACCESS}
  WHERE ns = @ns AND key = @key AND ${LIVE} RETURNING value`;

/** @key, @now: lazy delete of an expired entry. */
export const DELETE_EXPIRED_KEY = "DELETE FROM core_cache WHERE ns = @ns AND key = @key AND expires_at <= @now";

/** @now: the periodic sweep. */
export const SWEEP = "DELETE FROM core_cache WHERE ns = @ns AND expires_at <= @now";

/** @key, @value, @expires. */
export const SET = `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
  VALUES (@ns, @key, @value, @expires, ${NEXT_ACCESS})
  ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, accessed = excluded.accessed`;

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
export const INCREMENT = `INSERT INTO core_cache (ns, key, value, expires_at, accessed)
  VALUES (@ns, @key, CAST(CAST(@by AS INTEGER) AS TEXT), @expires, ${NEXT_ACCESS})
  ON CONFLICT (ns, key) DO UPDATE SET
    value = CASE WHEN ${EXPIRED} THEN excluded.value
                 ELSE CAST(CAST(core_cache.value AS INTEGER) + CAST(@by AS INTEGER) AS TEXT) END,
    expires_at = CASE WHEN ${EXPIRED} THEN excluded.expires_at ELSE core_cache.expires_at END,
    accessed = excluded.accessed
  WHERE ${EXPIRED}
     OR (CAST(CAST(core_cache.value AS INTEGER) AS TEXT) = core_cache.value
         AND abs(CAST(core_cache.value AS INTEGER) + CAST(@by AS INTEGER)) <= 9007199254740991)
  RETURNING value`;

/** @key → expires_at of the deleted row. */
export const DELETE = "DELETE FROM core_cache WHERE ns = @ns AND key = @key RETURNING expires_at";

/** @from (exclusive), @now, @limit: live keys in BINARY order. */
export const KEYS_PAGE = `SELECT key FROM core_cache WHERE ns = @ns AND key > @from AND ${LIVE} ORDER BY key LIMIT CAST(@limit AS INTEGER)`;

/** @from (inclusive), @now, @limit. */
export const KEYS_FIRST_PAGE = `SELECT key FROM core_cache WHERE ns = @ns AND key >= @from AND ${LIVE} ORDER BY key LIMIT CAST(@limit AS INTEGER)`;

/** @now → live entries. */
export const COUNT_LIVE = `SELECT count(*) FROM core_cache WHERE ns = @ns AND ${LIVE}`;

/** Entries stored (live or not yet swept). */
export const COUNT_ALL = "SELECT count(*) FROM core_cache WHERE ns = @ns";

/** Deletes every entry of the namespace. */
export const CLEAR = "DELETE FROM core_cache WHERE ns = @ns";

/** @limit: evicts the least recently used entries, returning their expiry. */
export const EVICT = `DELETE FROM core_cache WHERE ns = @ns AND key IN
  (SELECT key FROM core_cache WHERE ns = @ns ORDER BY accessed LIMIT CAST(@limit AS INTEGER)) RETURNING expires_at`;
