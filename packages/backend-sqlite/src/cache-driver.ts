import { type CacheDriver, type SqlCacheRow, sqlCacheDriver } from "@core/protocols/kit";
import { CACHE_SQL } from "./cache-sql.js";
import { BACKEND } from "./errors.js";
import type { SqliteShared } from "./shared.js";
import { integersAsText } from "./values.js";

const NONE: SqlCacheRow[] = [];

/** Named parameters `$1…` plus `$now` (the statements' clock); arrays as JSON for json_each. */
function bindNamed(args: readonly unknown[]): Record<string, unknown> {
  const params: Record<string, unknown> = { now: Date.now() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    params[i + 1] = Array.isArray(arg) ? JSON.stringify(arg) : arg;
  }
  return params;
}

/**
 * The sqlite backend's cache driver: the kit's SQL cache over `core_cache`, synchronous
 * whenever the connection is free (no promise per call). Batches and maxEntries writes
 * run in one `BEGIN IMMEDIATE` transaction; `add` and `increment` are single statements,
 * so they are atomic across processes.
 *
 * @example
 * ```ts
 * const cache = createCache<number>(sqliteCacheDriver(shared), "hits", { defaultTtlMs: 60_000 });
 * await cache.increment("home");
 * ```
 */
export function sqliteCacheDriver(shared: SqliteShared): CacheDriver {
  return sqlCacheDriver({
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    counters: shared.cacheCounters,
    sweepIntervalMs: 30_000,
    statements: CACHE_SQL,
    addsInSql: integersAsText,
    executor: {
      all(_op, text, args) {
        const statement = shared.prepare(text);
        const params = text.includes("$") ? bindNamed(args) : args;
        if (statement.reader) return statement.all(params) as SqlCacheRow[];
        statement.run(params);
        return NONE;
      },
      now: (fn) => shared.runNow(fn) as ReturnType<typeof fn>,
      transaction: (fn) => shared.write(fn),
    },
  });
}
