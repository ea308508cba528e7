import { type Cache, type CacheOptions, notSupported } from "@core/protocols";
import type { MemoryShared } from "./shared.js";

// PLACEHOLDER until the cache helper replaces this whole file.
export function createMemoryCache<V>(_shared: MemoryShared, _name: string, _options?: CacheOptions): Cache<V> {
  throw notSupported("memory", "cache");
}
