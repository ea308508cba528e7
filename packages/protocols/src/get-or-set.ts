import type { Cache, SetOptions } from "./cache.js";
import { invalidArgument } from "./errors.js";
import { assertKey, assertTtl, describeValue } from "./validation.js";

// Cache object → key → the one pending lookup. A WeakMap so a dropped cache takes its
// pending entries with it; entries leave as soon as their lookup settles.
const pending = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Returns the cached value of `key`, or calls `loader`, stores its result and returns it.
 * Concurrent calls for the same cache object and key in this process share one lookup and
 * one loader call (single flight). A loader that throws rejects every waiting caller and
 * nothing is cached, so the next call tries again. A loader resolving to `undefined` is
 * returned but not stored (`undefined` means "miss" to a cache). Failures of the cache
 * itself (get or set) are raised, never hidden.
 *
 * @example
 * ```ts
 * const user = await getOrSet(cache, `user:${id}`, () => db.findUser(id), { ttlMs: 60_000 });
 * ```
 */
export function getOrSet<V>(
  cache: Cache<V>,
  key: string,
  loader: () => Promise<V> | V,
  options: SetOptions = {},
): Promise<V> {
  if (cache === null || typeof cache !== "object") {
    return Promise.reject(invalidArgument("getOrSet", `cache must be a Cache, got ${describeValue(cache)}`));
  }
  try {
    assertKey("getOrSet", key);
    if (typeof loader !== "function") {
      throw invalidArgument("getOrSet", `loader must be a function, got ${describeValue(loader)}`);
    }
    assertTtl("getOrSet", options?.ttlMs);
  } catch (err) {
    return Promise.reject(err);
  }
  let byKey = pending.get(cache);
  if (byKey === undefined) {
    byKey = new Map();
    pending.set(cache, byKey);
  }
  const inFlight = byKey.get(key);
  if (inFlight !== undefined) return inFlight as Promise<V>;

  const lookup = load(cache, key, loader, options);
  byKey.set(key, lookup);
  const forget = () => {
    if (byKey.get(key) === lookup) byKey.delete(key);
  };
  lookup.then(forget, forget);
  return lookup;
}

async function load<V>(cache: Cache<V>, key: string, loader: () => Promise<V> | V, options: SetOptions): Promise<V> {
  const cached = await cache.get(key);
  if (cached !== undefined) return cached;
  const value = await loader();
  if (value !== undefined) {
    await cache.set(key, value, options.ttlMs === undefined ? undefined : { ttlMs: options.ttlMs });
  }
  return value;
}
