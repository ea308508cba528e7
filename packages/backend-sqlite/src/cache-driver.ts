import { type CacheDriver, type SqlCacheRow, sqlCacheDriver } from "@core/protocols/kit";
import { CACHE_SQL } from "./cache-sql.js";
import { BACKEND } from "./errors.js";
import type { SqliteShared } from "./shared.js";
import { integersAsText } from "./values.js";

const NONE: SqlCacheRow[] = [];

type Run = (args: readonly unknown[]) => SqlCacheRow[];
type RunFirst = (args: readonly unknown[]) => SqlCacheRow | undefined;

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
  // One runner per statement text, decided once (binding style, rows or not): a batch runs
  // the same statement per row, and the hot get must not rescan its text on every call.
  const runners = new Map<string, Run>();
  const runner = (text: string): Run => {
    let run = runners.get(text);
    if (run === undefined) {
      const statement = shared.prepare(text);
      const bind: (args: readonly unknown[]) => unknown = text.includes("$") ? bindNamed : (args) => args;
      run = statement.reader
        ? (args) => statement.all(bind(args)) as SqlCacheRow[]
        : (args) => {
            statement.run(bind(args));
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
      const statement = shared.prepare(text);
      run = text.includes("$")
        ? (args) => statement.get(bindNamed(args)) as SqlCacheRow | undefined
        : (args) => statement.get(args) as SqlCacheRow | undefined;
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
