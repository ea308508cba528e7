import { cacheParams } from "./cache-params.js";
import * as Q from "./cache-sql.js";
import type { SqliteShared } from "./shared.js";

/**
 * Reads the stored text of one entry (`undefined`: missing or expired). With `lru` (a `maxEntries` cache) the read
 * refreshes the entry's recency, so it must run where writes may. An expired entry met
 * is deleted.
 *
 * @example
 * ```ts
 * const text = readCacheEntry(shared, false, "hits", "home");
 * ```
 */
export function readCacheEntry(shared: SqliteShared, lru: boolean, ns: string, key: string): string | undefined {
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
  return text;
}

/**
 * Reads the stored texts of many entries of a cache without recency (no `maxEntries`): one `key IN (…)`
 * statement per up to 1024 keys instead of a statement per key; the few expired entries
 * met are deleted afterwards (each delete re-checks the expiry itself).
 *
 * @example
 * ```ts
 * const texts = readCacheEntries(shared, "hits", ["a", "b"]);
 * ```
 */
export function readCacheEntries(shared: SqliteShared, name: string, keys: readonly string[]): (string | undefined)[] {
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
    if (row !== undefined && (row.expires_at === null || row.expires_at > now)) return row.value;
    if (row !== undefined) (expired ??= []).push(key);
    return undefined;
  });
  if (expired !== undefined) {
    const remove = shared.prepare(Q.DELETE_EXPIRED_KEY);
    for (const key of expired) remove.run({ ...cacheParams(name, key), now });
  }
  return values;
}
