import { EventEmitter } from "node:events";
import type { Cache, CacheEntry, SetOptions } from "@core/protocols";
import { chunked, keysUnder, namespacePrefix, prefixGlob } from "./namespace-keys.js";

/** Options of {@link keyvStore}. */
export interface KeyvStoreOptions {
  /**
   * Keys per batch when `clear()` or `iterator()` walks a namespace (one `getMany` /
   * `deleteMany` round trip each). Default 500.
   */
  batchSize?: number;
  /** Whether `disconnect()` also closes the cache (its timers; never the backend). Default true. */
  closeCacheOnDisconnect?: boolean;
}

/** One entry Keyv hands to `setMany`: the key already carries Keyv's namespace prefix. */
export interface KeyvStoreEntry {
  key: string;
  value: unknown;
  /** Milliseconds, as Keyv gives them; `undefined` or `0` means no expiry. */
  ttl?: number;
}

const DEFAULT_BATCH = 500;

/**
 * The Keyv TTL (ms) as a cache write option: a positive number becomes `ttlMs`; `undefined`
 * and `0` (Keyv's "no expiry") leave it to the cache's `defaultTtlMs`. Any other number is
 * passed on, so the cache rejects it with `INVALID_ARGUMENT` before writing.
 */
function writeOptions(ttl: number | undefined): SetOptions | undefined {
  return ttl === undefined || ttl === 0 ? undefined : { ttlMs: ttl };
}

/**
 * A Keyv 5 storage adapter (`KeyvStoreAdapter`) over one {@link Cache} of any backend.
 * Keyv's namespace is a key prefix inside that cache (`"<namespace>:<key>"`, as Keyv
 * writes it); `clear()` removes only the current namespace (the whole cache when there is
 * none). Errors are the backend's `BackendError`s, thrown to Keyv, which emits or rethrows
 * them according to its `throwOnErrors` option.
 *
 * @example
 * ```ts
 * import Keyv from "keyv";
 * const keyv = new Keyv({ store: new KeyvCacheStore(backend.cache("sessions")) });
 * ```
 */
export class KeyvCacheStore extends EventEmitter {
  /** Keyv's namespace, set by Keyv itself when the store is handed to it. */
  namespace: string | undefined;
  /**
   * Adapter options as Keyv reads them. `dialect` names this adapter; Keyv 5 wires
   * `keyv.iterator()` only for its own list of dialects, so call {@link iterator} on the
   * store for ours.
   */
  readonly opts: Record<string, unknown>;
  readonly #cache: Cache<unknown>;
  readonly #batchSize: number;
  readonly #closeCache: boolean;

  constructor(cache: Cache<unknown>, options: KeyvStoreOptions = {}) {
    super();
    this.#cache = cache;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new RangeError(`[keyv] batchSize must be a positive integer, got ${String(options.batchSize)}`);
    }
    this.#closeCache = options.closeCacheOnDisconnect ?? true;
    this.opts = { dialect: "core", url: `core:${cache.name}` };
  }

  /** The cache this store reads and writes. */
  get cache(): Cache<unknown> {
    return this.#cache;
  }

  /** The stored value (a string when Keyv serializes, else Keyv's `{ value, expires }`). */
  get(key: string): Promise<unknown> {
    return this.#cache.get(key);
  }

  /** Values in the order of `keys`, `undefined` for misses; one `getMany`. */
  getMany(keys: string[]): Promise<unknown[]> {
    return this.#cache.getMany(keys);
  }

  /** Writes with the TTL Keyv gives (ms); resolves to `true`. */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.#cache.set(key, value, writeOptions(ttl));
    return true;
  }

  /** Writes every entry with one `setMany` (one round trip / transaction). */
  async setMany(entries: KeyvStoreEntry[]): Promise<boolean[]> {
    const batch: CacheEntry<unknown>[] = entries.map(({ key, value, ttl }) => {
      const options = writeOptions(ttl);
      return options === undefined ? { key, value } : { key, value, ttlMs: options.ttlMs as number };
    });
    await this.#cache.setMany(batch);
    return entries.map(() => true);
  }

  /** True if the key existed. */
  delete(key: string): Promise<boolean> {
    return this.#cache.delete(key);
  }

  /** One `deleteMany`; true when every (distinct) key existed, as Keyv's own fallback answers. */
  async deleteMany(keys: string[]): Promise<boolean> {
    const distinct = [...new Set(keys)];
    if (distinct.length === 0) return false;
    return (await this.#cache.deleteMany(distinct)) === distinct.length;
  }

  has(key: string): Promise<boolean> {
    return this.#cache.has(key);
  }

  /** One `getMany`: a key is present when it has a value. */
  async hasMany(keys: string[]): Promise<boolean[]> {
    const values = await this.#cache.getMany(keys);
    return values.map((value) => value !== undefined);
  }

  /**
   * Removes the current namespace's keys, in `deleteMany` batches; without a namespace,
   * the cache's own `clear()` (this cache's namespace only, never the backend's others).
   */
  async clear(): Promise<void> {
    const prefix = namespacePrefix(this.namespace);
    if (prefix === undefined) {
      await this.#cache.clear();
      return;
    }
    const keys = keysUnder(this.#cache.keys({ match: prefixGlob(prefix) }), prefix);
    for await (const batch of chunked(keys, this.#batchSize)) await this.#cache.deleteMany(batch);
  }

  /**
   * Every `[key, storedValue]` of a namespace (the given one, else the store's), keys as
   * stored (prefixed), values fetched in `getMany` batches; entries that expire meanwhile
   * are left out.
   *
   * @example
   * ```ts
   * for await (const [key, raw] of store.iterator("sessions")) console.log(key, raw);
   * ```
   */
  async *iterator(namespace?: string): AsyncGenerator<[string, unknown], void> {
    const prefix = namespacePrefix(namespace ?? this.namespace);
    const source =
      prefix === undefined ? this.#cache.keys() : keysUnder(this.#cache.keys({ match: prefixGlob(prefix) }), prefix);
    for await (const keys of chunked(source, this.#batchSize)) {
      const values = await this.#cache.getMany(keys);
      for (let i = 0; i < keys.length; i++) {
        const value = values[i];
        if (value !== undefined) yield [keys[i] as string, value];
      }
    }
  }

  /** Closes the cache's timers (unless `closeCacheOnDisconnect: false`); the backend stays open. */
  async disconnect(): Promise<void> {
    if (this.#closeCache) await this.#cache.close();
  }
}

/**
 * A Keyv storage adapter over a cache of this project. Pass Keyv `serialize: undefined`
 * and `deserialize: undefined` to store values losslessly with the cache's codec (`Date`,
 * `Map`, `bigint`, bytes…); with Keyv's default serializer the cache stores Keyv's JSON
 * string.
 *
 * @example
 * ```ts
 * import Keyv from "keyv";
 * import { openBackend } from "@core/protocols";
 * import { keyvStore } from "@core/keyv";
 *
 * const backend = await openBackend("memory:");
 * const keyv = new Keyv({ store: keyvStore(backend.cache("sessions")), serialize: undefined, deserialize: undefined });
 * await keyv.set("s1", { user: 1, seen: new Date() }, 60_000);
 * ```
 */
export function keyvStore(cache: Cache<unknown>, options?: KeyvStoreOptions): KeyvCacheStore {
  return new KeyvCacheStore(cache, options);
}
