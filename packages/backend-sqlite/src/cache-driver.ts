import { type CacheDriver, type SqlCacheRow, sqlCacheDriver } from "@core/protocols/kit";
import { CACHE_SQL } from "./cache-sql.js";
import type { SqliteStatement } from "./driver.js";
import { BACKEND } from "./errors.js";
import { arrange, positional } from "./positional.js";
import type { SqliteShared } from "./shared.js";
import { integersAsText } from "./values.js";

const NONE: SqlCacheRow[] = [];

type Run = (args: readonly unknown[]) => SqlCacheRow[];
type RunFirst = (args: readonly unknown[]) => SqlCacheRow | undefined;

/**
 * The statement of `text` and the function that lays a call's arguments out for it:
 * positional (see positional.ts), every `$now` the same `Date.now()`, arrays as JSON for
 * json_each.
 */
function plan(
  shared: SqliteShared,
  text: string,
): { statement: SqliteStatement; values: (args: readonly unknown[]) => unknown[] } {
  const { sql, order } = positional(text);
  const statement = shared.prepare(sql);
  if (order === undefined) return { statement, values: (args) => args as unknown[] };
  return {
    statement,
    values: (args) => {
      const out = arrange(order, args, Date.now());
      for (let i = 0; i < out.length; i++) if (Array.isArray(out[i])) out[i] = JSON.stringify(out[i]);
      return out;
    },
  };
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
  // One runner per statement text, decided once (parameter order, rows or not): a batch
  // runs the same statement per row, and the hot get must not rescan its text on every call.
  const runners = new Map<string, Run>();
  const runner = (text: string): Run => {
    let run = runners.get(text);
    if (run === undefined) {
      const { statement, values } = plan(shared, text);
      run = statement.reader
        ? (args) => statement.all(...values(args)) as SqlCacheRow[]
        : (args) => {
            statement.run(...values(args));
            return NONE;
          };
      runners.set(text, run);
    }
    return run;
  };
  const firsts = new Map<string, RunFirst>();
  const first = (text: string): RunFirst => {
    let run = firsts.get(text);
    if (run === undefined) {
      const { statement, values } = plan(shared, text);
      run = (args) => statement.get(...values(args)) as SqlCacheRow | undefined;
      firsts.set(text, run);
    }
    return run;
  };
  return sqlCacheDriver({
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    counters: shared.cacheCounters,
    sweepIntervalMs: 30_000,
    statements: CACHE_SQL,
    addsInSql: integersAsText,
    executor: {
      all: (_op, text, args) => runner(text)(args),
      first: (_op, text, args) => first(text)(args),
      now: (fn) => shared.runNow(fn) as ReturnType<typeof fn>,
      transaction: (fn) => shared.write(fn),
    },
  });
}
