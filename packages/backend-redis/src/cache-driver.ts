import type { CacheDriver } from "@core/protocols/kit";
import { RedisLruCacheStore } from "./cache-lru-store.js";
import { RedisCacheStore } from "./cache-store.js";
import { BACKEND } from "./errors.js";
import type { RedisShared } from "./shared.js";

// Redis expires keys itself: the option is only validated, for portability.
const UNUSED_SWEEP_MS = 1_000;

/**
 * The redis backend's cache driver: one Redis string per entry at
 * `{prefix}:{c:<name>}:k:<key>`, expiry by the server (`SET … PX`), batches in one round
 * trip. `maxEntries`: a per-namespace LRU kept by Lua scripts ({@link RedisLruCacheStore}).
 *
 * @example
 * ```ts
 * const cache = createCache<number>(redisCacheDriver(shared), "counters", { defaultTtlMs: 60_000 });
 * await cache.increment("hits");
 * ```
 */
export function redisCacheDriver(shared: RedisShared): CacheDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    maxEntries: true,
    sweepIntervalMs: UNUSED_SWEEP_MS,
    open: (name, settings) =>
      settings.maxEntries === undefined
        ? new RedisCacheStore(shared, name)
        : new RedisLruCacheStore(shared, name, settings.maxEntries),
  };
}
