import { type CacheDriver, type SqlCacheRow, sqlCacheDriver } from "@core/protocols/kit";
import { cacheStatements, likePrefix } from "./cache-sql.js";
import { query } from "./db.js";
import { BACKEND } from "./errors.js";
import { decodeKey, encodeKey } from "./keys.js";
import type { StoreShared } from "./shared.js";

// Operation name → the name `query` reports (literals, not a string built per call).
const NAMES = new Map<string, string>();
function nameOf(op: string): string {
  let name = NAMES.get(op);
  if (name === undefined) NAMES.set(op, (name = `cache.${op}`));
  return name;
}
const rowsOf = (result: { rows: SqlCacheRow[] }) => result.rows;

/**
 * The postgres backend's cache driver: the kit's SQL cache over `cache_entries`, expiry in
 * SQL by the server's clock (an expired row is invisible to every read) plus an unref'd
 * sweep, LRU by `touched`, every call one statement (maxEntries writes evict in it too,
 * batches go as `unnest` arrays), prepared except where an array filter needs a custom plan.
 *
 * @example
 * ```ts
 * const cache = createCache<number>(postgresCacheDriver(shared), "counters", { defaultTtlMs: 60_000 });
 * await cache.increment("hits");
 * ```
 */
export function postgresCacheDriver(shared: StoreShared): CacheDriver {
  const statements = cacheStatements(`${shared.quotedSchema}.cache_entries`, `${shared.quotedSchema}.cache_touch`);
  return sqlCacheDriver({
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    counters: shared.cacheCounters,
    sweepIntervalMs: 60_000,
    statements,
    encodeKey,
    decodeKey,
    keysPrefix: (prefix) => likePrefix(encodeKey(prefix)),
    // Counters are bigint in SQL whatever the codec (a non-integer fails the cast).
    addsInSql: () => true,
    executor: {
      all: (op, text, args) =>
        query(shared, nameOf(op), text, args as unknown[], !statements.unprepared.has(text)).then(rowsOf),
      now: (fn) => fn(),
      // Never called: every write has its single-statement form above.
      transaction: (fn) => fn(),
    },
  });
}
