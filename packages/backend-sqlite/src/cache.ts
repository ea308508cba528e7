import { notSupported, type Cache, type CacheOptions } from "@core/protocols";
import type { SqliteShared } from "./shared.js";

// PLACEHOLDER until the sqlite cache work replaces this whole file.
export function createSqliteCache<V>(_shared: SqliteShared, _name: string, _options?: CacheOptions): Cache<V> {
  throw notSupported("sqlite", "cache");
}
