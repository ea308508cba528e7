import { join } from "node:path";
import {
  assertPlainObject,
  assertTtl,
  type CacheOptions,
  checkCodec,
  describeValue,
  invalidArgument,
} from "@core/protocols";
import { CacheData, type CacheOp } from "./cache-data.js";
import { BACKEND } from "./errors.js";
import { Journal } from "./journal.js";
import { fileName } from "./names.js";
import { type FileShared, storeState } from "./shared.js";

/** "No expiry" and "no entry limit": compares greater than every real time and count. */
export const NEVER = Number.POSITIVE_INFINITY;

/** One cache namespace in this process, shared by every handle opened on it. */
export interface CacheNamespace {
  data: CacheData;
  journal: Journal<CacheOp>;
  timer?: NodeJS.Timeout;
  timerMs: number;
}

/** Cache options after validation, defaults applied. */
export type CheckedCacheOptions = ReturnType<typeof checkCacheOptions>;

/**
 * Validates `cache(name, options)` options and applies defaults (`maxEntries` unlimited,
 * `sweepIntervalMs` the backend's, the JSON codec).
 *
 * @example
 * ```ts
 * const checked = checkCacheOptions({ maxEntries: 100 }, shared.sweepIntervalMs);
 * ```
 */
export function checkCacheOptions(options: CacheOptions | undefined, sweepDefault: number) {
  if (options !== undefined) assertPlainObject(BACKEND, options, "cache options");
  const { defaultTtlMs, maxEntries, sweepIntervalMs, codec } = (options ?? {}) as CacheOptions;
  assertTtl(BACKEND, defaultTtlMs);
  if (
    maxEntries !== undefined &&
    (typeof maxEntries !== "number" || !Number.isSafeInteger(maxEntries) || maxEntries < 1)
  ) {
    throw invalidArgument(BACKEND, `maxEntries must be a positive integer, got ${describeValue(maxEntries)}`);
  }
  if (
    sweepIntervalMs !== undefined &&
    (typeof sweepIntervalMs !== "number" || !(sweepIntervalMs > 0) || !Number.isFinite(sweepIntervalMs))
  ) {
    throw invalidArgument(BACKEND, `sweepIntervalMs must be a positive number, got ${describeValue(sweepIntervalMs)}`);
  }
  return {
    defaultTtlMs,
    maxEntries: maxEntries ?? NEVER,
    sweepIntervalMs: sweepIntervalMs ?? sweepDefault,
    codec: checkCodec(BACKEND, codec),
  };
}

/**
 * Returns the process-wide state of cache namespace `name`, opening its journal
 * (`cache/<sha256(name)>/log`) the first time; the backend's close stops its sweep and
 * closes the journal.
 *
 * @example
 * ```ts
 * const ns = openCacheNamespace(shared, "hits");
 * ```
 */
export function openCacheNamespace(shared: FileShared, name: string): CacheNamespace {
  const ns = storeState<CacheNamespace>(shared, `cache\u0000${name}`, () => {
    const data = new CacheData();
    const dir = join(shared.directory, "cache", fileName(name));
    const journal = new Journal<CacheOp>(dir, data, {
      fsync: false,
      lock: shared.lock,
      what: `cache ${name}`,
      onDamage: shared.onDamage,
    });
    shared.lifecycle.onClose(() => {
      if (ns.timer) clearInterval(ns.timer);
      return journal.close();
    });
    return { data, journal, timerMs: NEVER };
  });
  return ns;
}

/**
 * Starts (or tightens) the namespace's sweep: an unref'd timer that journals the removal
 * of expired entries, and stops itself once nothing can expire.
 *
 * @example
 * ```ts
 * scheduleSweep(shared, ns, 1_000); // after a write that set a TTL
 * ```
 */
export function scheduleSweep(shared: FileShared, ns: CacheNamespace, sweepMs: number): void {
  if (shared.lifecycle.closed || !ns.data.hasExpiring()) return;
  if (ns.timer !== undefined && ns.timerMs <= sweepMs) return;
  if (ns.timer) clearInterval(ns.timer);
  ns.timerMs = sweepMs;
  ns.timer = setInterval(() => {
    if (shared.lifecycle.closed) return;
    shared.lifecycle
      .run(() => ns.journal.mutate(() => ({ result: undefined, ops: ns.data.expiredOps() })))
      .then(() => {
        if (!ns.data.hasExpiring() && ns.timer) {
          clearInterval(ns.timer);
          ns.timer = undefined;
          ns.timerMs = NEVER;
        }
      })
      .catch(() => {});
  }, sweepMs);
  ns.timer.unref();
}
