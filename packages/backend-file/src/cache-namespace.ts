import { CacheData, type CacheOp } from "./cache-data.js";
import type { Journal } from "./journal.js";
import { type FileShared, storeJournal, storeState } from "./shared.js";

/** "No expiry" and "no entry limit": compares greater than every real time and count. */
export const NEVER = Number.POSITIVE_INFINITY;

/** One cache namespace in this process, shared by every handle opened on it. */
export interface CacheNamespace {
  data: CacheData;
  journal: Journal<CacheOp>;
  timer?: NodeJS.Timeout;
  timerMs: number;
}

/**
 * Returns the process-wide state of cache namespace `name`, opening its journal
 * (`cache/<sha256(name)>/log`) the first time; the backend's close stops its sweep and
 * closes the journal.
 */
export function openCacheNamespace(shared: FileShared, name: string): CacheNamespace {
  const ns = storeState<CacheNamespace>(shared, `cache\u0000${name}`, () => {
    const data = new CacheData();
    const journal = storeJournal(shared, "cache", name, data, false, `cache ${name}`);
    shared.lifecycle.onClose(() => {
      stopSweep(ns);
      return journal.close();
    });
    return { data, journal, timerMs: NEVER };
  });
  return ns;
}

/**
 * Starts (or tightens) the namespace's sweep: an unref'd timer that journals the removal
 * of expired entries, and stops itself once nothing can expire. `expiring`: a write with
 * an expiry is about to be applied (nothing may expire yet).
 */
export function scheduleSweep(shared: FileShared, ns: CacheNamespace, sweepMs: number, expiring = false): void {
  if (shared.lifecycle.closed || !(expiring || ns.data.hasExpiring())) return;
  if (ns.timer !== undefined && ns.timerMs <= sweepMs) return;
  if (ns.timer) clearInterval(ns.timer);
  ns.timerMs = sweepMs;
  ns.timer = setInterval(() => {
    if (shared.lifecycle.closed) return;
    shared.lifecycle
      .run(() => ns.journal.mutate(() => ({ result: undefined, ops: ns.data.expiredOps() })))
      .then(() => {
        if (!ns.data.hasExpiring()) stopSweep(ns);
      })
      .catch(() => {});
  }, sweepMs);
  ns.timer.unref();
}

/** Stops the namespace's sweep (nothing can expire, no handle is open, or the backend closed). */
export function stopSweep(ns: CacheNamespace): void {
  if (ns.timer) clearInterval(ns.timer);
  ns.timer = undefined;
  ns.timerMs = NEVER;
}
