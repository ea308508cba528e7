import { type CacheParams, cacheParams } from "./cache-params.js";
import * as Q from "./cache-sql.js";
import type { CacheCounters, SqliteShared } from "./shared.js";

/**
 * The background sweep of one cache handle: an unref'd timer deleting the namespace's
 * expired entries every `intervalMs`, started by the first write with an expiry and
 * stopped by the handle's or the backend's close.
 *
 * @example
 * ```ts
 * const sweep = new CacheSweep(shared, "hits", 30_000);
 * sweep.start();
 * sweep.stop();
 * ```
 */
export class CacheSweep {
  readonly #shared: SqliteShared;
  readonly #name: string;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #unregister: (() => void) | undefined;

  constructor(shared: SqliteShared, name: string, intervalMs: number) {
    this.#shared = shared;
    this.#name = name;
    this.#intervalMs = intervalMs;
  }

  /**
   * Starts the timer unless it runs already.
   *
   * @example
   * ```ts
   * sweep.start();
   * ```
   */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#shared.lifecycle.closed || this.#shared.db.inTransaction) return;
      try {
        this.#shared.prepare(Q.SWEEP).run(cacheParams(this.#name));
      } catch {
        // Busy or closing: the next sweep (or a read) reclaims the space.
      }
    }, this.#intervalMs);
    this.#timer.unref();
    this.#unregister = this.#shared.lifecycle.onClose(() => this.stop());
  }

  /**
   * Stops the timer (idempotent).
   *
   * @example
   * ```ts
   * sweep.stop();
   * ```
   */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unregister?.();
    this.#unregister = undefined;
  }
}

/**
 * Evicts least recently used entries above `maxEntries`; call inside the write
 * transaction. Expired entries go first and are not counted as evictions. The size comes
 * from `core_cache_sizes` (one seek; the triggers keep it exact across processes), so a
 * write costs O(log n) plus the entries it removes; only the namespace's first maxEntries
 * write ever counts its entries.
 *
 * @example
 * ```ts
 * shared.write(() => {
 *   shared.prepare(Q.SET).run(...);
 *   evictLeastRecentlyUsed(shared, counters, 1000, p);
 * });
 * ```
 */
export function evictLeastRecentlyUsed(
  shared: SqliteShared,
  counters: CacheCounters,
  max: number,
  p: CacheParams,
): void {
  const size =
    (shared.prepare(Q.SIZE).pluck().get(p.ns) as number | undefined) ??
    (shared.prepare(Q.START_SIZE).pluck().get(p.ns, p.ns) as number);
  let excess = size - max;
  if (excess <= 0) return;
  excess -= shared.prepare(Q.SWEEP).run(p).changes;
  if (excess <= 0) return;
  const rows = shared
    .prepare(Q.EVICT)
    .pluck()
    .all({ ...p, limit: excess }) as (number | null)[];
  counters.evictions += rows.length;
}
