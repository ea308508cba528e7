/**
 * The cache protocol's shared layer: {@link createCache} builds the public cache from a
 * backend's narrow {@link CacheDriver}.
 *
 * @example
 * ```ts
 * import { createCache } from "@core/protocols/kit";
 * const cache = createCache(driver, "sessions", { defaultTtlMs: 60_000 });
 * ```
 *
 * @packageDocumentation
 */
export type {
  CacheCounters,
  CacheDriver,
  CacheRow,
  CacheSettings,
  CacheStore,
} from "./cache-driver.js";
export { checkCacheSettings } from "./cache-settings.js";
export { CacheValues } from "./cache-values.js";
export { createCache } from "./create-cache.js";
