import type { Codec } from "@core/protocols";
import { cacheParams } from "./cache-options.js";
import * as Q from "./cache-sql.js";
import type { CacheCounters, SqliteShared } from "./shared.js";
import { decodeWith } from "./values.js";

/**
 * Reads one entry, counting a hit or a miss. With `lru` (a `maxEntries` cache) the read
 * refreshes the entry's recency, so it must run where writes may. An expired entry met
 * is deleted.
 *
 * @example
 * ```ts
 * const value = readCacheEntry<number>(shared, codec, counters, false, "hits", "home");
 * ```
 */
export function readCacheEntry<V>(
  shared: SqliteShared,
  codec: Codec,
  counters: CacheCounters,
  lru: boolean,
  ns: string,
  key: string,
): V | undefined {
  const prepare = shared.prepare;
  let text: string | undefined;
  if (lru) {
    const p = cacheParams(ns, key);
    text = prepare(Q.GET_TOUCH).pluck().all(p)[0] as string | undefined;
    if (text === undefined) prepare(Q.DELETE_EXPIRED_KEY).run(p);
  } else {
    // The hot read binds two values and builds the named parameters only for a lazy delete.
    const row = prepare(Q.GET).get(ns, key) as { value: string; expires_at: number | null } | undefined;
    if (row !== undefined && row.expires_at !== null && row.expires_at <= Date.now()) {
      prepare(Q.DELETE_EXPIRED_KEY).run(cacheParams(ns, key));
    } else {
      text = row?.value;
    }
  }
  if (text === undefined) {
    counters.misses++;
    return undefined;
  }
  counters.hits++;
  return decodeWith(codec, text) as V;
}

/**
 * Reads many entries of a cache without recency (no `maxEntries`): one `key IN (…)`
 * statement per up to 1024 keys instead of a statement per key; the few expired entries
 * met are deleted afterwards (each delete re-checks the expiry itself).
 *
 * @example
 * ```ts
 * const values = readCacheEntries<number>(shared, codec, counters, "hits", ["a", "b"]);
 * ```
 */
export function readCacheEntries<V>(
  shared: SqliteShared,
  codec: Codec,
  counters: CacheCounters,
  name: string,
  keys: readonly string[],
): (V | undefined)[] {
  const now = Date.now();
  const found = new Map<string, { value: string; expires_at: number | null }>();
  const largest = Q.GET_MANY_SIZES[Q.GET_MANY_SIZES.length - 1] as number;
  for (let from = 0; from < keys.length; from += largest) {
    const count = Math.min(largest, keys.length - from);
    const size = Q.GET_MANY_SIZES.find((n) => n >= count) as number;
    const params: (string | null)[] = new Array(size + 1).fill(null);
    params[0] = name;
    for (let i = 0; i < count; i++) params[i + 1] = keys[from + i] as string;
    const rows = shared.prepare(Q.GET_MANY.get(size) as string).all(params) as {
      key: string;
      value: string;
      expires_at: number | null;
    }[];
    for (const row of rows) found.set(row.key, row);
  }
  let expired: string[] | undefined;
  const values = keys.map((key) => {
    const row = found.get(key);
    if (row !== undefined && (row.expires_at === null || row.expires_at > now)) {
      counters.hits++;
      return decodeWith(codec, row.value) as V;
    }
    if (row !== undefined) (expired ??= []).push(key);
    counters.misses++;
    return undefined;
  });
  if (expired !== undefined) {
    const remove = shared.prepare(Q.DELETE_EXPIRED_KEY);
    for (const key of expired) remove.run({ ...cacheParams(name, key), now });
  }
  return values;
}
