import {
  assertInteger,
  assertKey,
  assertKeys,
  assertName,
  assertPlainObject,
  assertTtl,
  type Cache,
  type CacheEntry,
  type CacheOptions,
  type CacheStats,
  closedError,
  compileGlob,
  describeValue,
  invalidArgument,
  type SetOptions,
} from "@core/protocols";
import { incrementInSql, incrementInTransaction } from "./cache-increment.js";
import { type CacheParams, type CheckedCacheOptions, cacheParams, checkCacheOptions } from "./cache-options.js";
import { readCacheEntries, readCacheEntry } from "./cache-reads.js";
import { CacheSweep, evictLeastRecentlyUsed } from "./cache-reclaim.js";
import * as Q from "./cache-sql.js";
import { type CacheRow, writeCacheRows } from "./cache-write-rows.js";
import { BACKEND } from "./errors.js";
import type { CacheCounters, SqliteShared } from "./shared.js";
import { encodeWith, integersAsText } from "./values.js";

const KEYS_PAGE_SIZE = 256;

/**
 * Opens the cache namespace `name`: one row per entry in the shared `core_cache` table.
 * Expired entries are invisible to every read, deleted when a read meets them and by a
 * sweep every `sweepIntervalMs` (unref'd timer). With `maxEntries`, reads refresh a
 * recency counter and every write evicts the least recently used entries in the same
 * transaction. `add` and `increment` are single statements, so they are atomic across
 * processes; batch calls run in one transaction.
 *
 * @example
 * ```ts
 * const cache = createSqliteCache<number>(shared, "hits", { defaultTtlMs: 60_000 });
 * await cache.increment("home");
 * ```
 */
export function createSqliteCache<V>(shared: SqliteShared, name: string, options?: CacheOptions): Cache<V> {
  assertName(BACKEND, name, "cache name");
  return new SqliteCache<V>(shared, name, checkCacheOptions(options));
}

class SqliteCache<V> implements Cache<V> {
  readonly name: string;
  readonly #shared: SqliteShared;
  readonly #o: CheckedCacheOptions;
  readonly #counters: CacheCounters;
  readonly #sqlIncrement: boolean;
  /** Write statements: maxEntries caches refresh recency on every write, others only on insert. */
  readonly #setSql: string;
  readonly #incrementSql: string;
  readonly #sweep: CacheSweep;
  #closed = false;

  constructor(shared: SqliteShared, name: string, options: CheckedCacheOptions) {
    this.name = name;
    this.#shared = shared;
    this.#o = options;
    this.#sqlIncrement = integersAsText(options.codec);
    this.#sweep = new CacheSweep(shared, name, options.sweepIntervalMs);
    const lru = options.maxEntries !== undefined;
    this.#setSql = lru ? Q.SET : Q.SET_KEEP_RECENCY;
    this.#incrementSql = lru ? Q.INCREMENT : Q.INCREMENT_KEEP_RECENCY;
    let counters = shared.cacheCounters.get(name);
    if (counters === undefined) {
      counters = { hits: 0, misses: 0, evictions: 0 };
      shared.cacheCounters.set(name, counters);
    }
    this.#counters = counters;
  }

  #params(key: string | null = null, value: string | null = null, expires: number | null = null): CacheParams {
    return cacheParams(this.name, key, value, expires);
  }

  #run<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(closedError(BACKEND));
    return this.#shared.run(fn);
  }

  #expiry(ttlMs: number | undefined): number | null {
    const ttl = ttlMs ?? this.#o.defaultTtlMs;
    if (ttl === undefined) return null;
    if (!this.#closed) this.#sweep.start();
    return Date.now() + ttl;
  }
  /** Evicts least recently used entries above maxEntries; call inside the write transaction. */
  #evict(p: CacheParams): void {
    if (this.#o.maxEntries !== undefined) evictLeastRecentlyUsed(this.#shared, this.#counters, this.#o.maxEntries, p);
  }

  /** A write statement plus eviction, atomic. */
  #write<T>(p: CacheParams, fn: () => T): T {
    if (this.#o.maxEntries === undefined) return fn();
    return this.#shared.write(() => {
      const result = fn();
      this.#evict(p);
      return result;
    });
  }

  #read(key: string): V | undefined {
    const lru = this.#o.maxEntries !== undefined;
    return readCacheEntry<V>(this.#shared, this.#o.codec, this.#counters, lru, this.name, key);
  }

  get(key: string): Promise<V | undefined> {
    try {
      assertKey(BACKEND, key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => this.#read(key));
  }

  getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    try {
      assertKeys(BACKEND, keys);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => {
      const readAll = () => keys.map((key) => this.#read(key));
      if (keys.length <= 1) return readAll();
      // maxEntries reads write (recency), so they need the write transaction.
      return this.#o.maxEntries !== undefined
        ? this.#shared.write(readAll)
        : readCacheEntries<V>(this.#shared, this.#o.codec, this.#counters, this.name, keys);
    });
  }

  set(key: string, value: V, options?: SetOptions): Promise<void> {
    let text: string;
    let expires: number | null;
    try {
      assertKey(BACKEND, key);
      if (options !== undefined) assertPlainObject(BACKEND, options, "options");
      assertTtl(BACKEND, options?.ttlMs);
      text = encodeWith(this.#o.codec, value);
      expires = this.#expiry(options?.ttlMs);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => this.#set(key, text, expires));
  }

  #set(key: string, text: string, expires: number | null): void {
    const { prepare } = this.#shared;
    const ns = this.name;
    if (this.#o.maxEntries !== undefined) {
      this.#shared.write(() => {
        prepare(Q.SET).run(ns, key, text, expires, ns);
        this.#evict(this.#params(key));
      });
      return;
    }
    // One upsert, not an UPDATE first: a missed UPDATE is an empty write transaction
    // (WAL locks taken and released), which costs a new key far more than the recency
    // seek the UPDATE would save an overwrite.
    prepare(Q.SET_KEEP_RECENCY).run(ns, key, text, expires, ns);
  }

  setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    const all: CacheRow[] = [];
    try {
      if (!Array.isArray(entries)) {
        throw invalidArgument(
          BACKEND,
          `setMany needs an array of { key, value, ttlMs? }, got ${describeValue(entries)}`,
        );
      }
      // Encode everything first: one bad entry means nothing is written.
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as CacheEntry<V>;
        if (entry === null || typeof entry !== "object") {
          throw invalidArgument(BACKEND, `setMany entry ${i} must be { key, value, ttlMs? }`);
        }
        assertKey(BACKEND, entry.key);
        assertTtl(BACKEND, entry.ttlMs);
        all.push([entry.key, encodeWith(this.#o.codec, entry.value, `entry ${i}`), this.#expiry(entry.ttlMs)]);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => {
      if (all.length === 0) return;
      const p = this.#params();
      this.#shared.write(() => {
        writeCacheRows(this.#shared, p, all, this.#o.maxEntries !== undefined);
        this.#evict(p);
      });
    });
  }

  add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    let p: CacheParams;
    try {
      assertKey(BACKEND, key);
      if (options !== undefined) assertPlainObject(BACKEND, options, "options");
      assertTtl(BACKEND, options?.ttlMs);
      p = this.#params(key, encodeWith(this.#o.codec, value), this.#expiry(options?.ttlMs));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => this.#write(p, () => this.#shared.prepare(Q.ADD).all(p).length > 0));
  }

  increment(key: string, by = 1): Promise<number> {
    let p: CacheParams;
    try {
      assertKey(BACKEND, key);
      assertInteger(BACKEND, by, "by");
      p = { ...this.#params(key, null, this.#expiry(undefined)), by };
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() =>
      this.#write(p, () =>
        this.#sqlIncrement
          ? incrementInSql(this.#shared, this.#o.codec, this.#incrementSql, p)
          : incrementInTransaction(this.#shared, this.#o.codec, this.#setSql, p),
      ),
    );
  }

  delete(key: string): Promise<boolean> {
    try {
      assertKey(BACKEND, key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => this.#deleteOne(this.#params(key)));
  }

  #deleteOne(p: CacheParams): boolean {
    const expires = this.#shared.prepare(Q.DELETE).pluck().all(p) as (number | null)[];
    return expires.length > 0 && (expires[0] === null || (expires[0] as number) > p.now);
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    try {
      assertKeys(BACKEND, keys);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() =>
      this.#shared.write(() => {
        let count = 0;
        for (const key of keys) if (this.#deleteOne(this.#params(key))) count++;
        return count;
      }),
    );
  }

  has(key: string): Promise<boolean> {
    return this.ttl(key).then((left) => left !== undefined);
  }

  ttl(key: string): Promise<number | null | undefined> {
    try {
      assertKey(BACKEND, key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => {
      const p = this.#params(key);
      const row = this.#shared.prepare(Q.GET).get(p.ns, p.key) as { expires_at: number | null } | undefined;
      if (row === undefined) return undefined;
      if (row.expires_at === null) return null;
      if (row.expires_at > p.now) return row.expires_at - p.now;
      this.#shared.prepare(Q.DELETE_EXPIRED_KEY).run(p);
      return undefined;
    });
  }

  async *keys(options?: { match?: string }): AsyncIterable<string> {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw invalidArgument(BACKEND, `keys options must be an object, got ${describeValue(options)}`);
    }
    const match = options?.match;
    if (match !== undefined && typeof match !== "string") {
      throw invalidArgument(BACKEND, `match must be a string glob, got ${describeValue(match)}`);
    }
    const pattern = match ?? "*";
    const matches = compileGlob(pattern);
    // Keys sharing the pattern's literal prefix are contiguous in BINARY order: page
    // through that range only (a range, not GLOB/LIKE, so keys holding U+0000 work too).
    const wild = pattern.search(/[*?]/);
    const prefix = wild < 0 ? pattern : pattern.slice(0, wild);
    let from = prefix;
    let first = true;
    for (;;) {
      const page = await this.#run(() => {
        const p = { ...this.#params(), from, limit: KEYS_PAGE_SIZE };
        return this.#shared
          .prepare(first ? Q.KEYS_FIRST_PAGE : Q.KEYS_PAGE)
          .pluck()
          .all(p) as string[];
      });
      first = false;
      for (const key of page) {
        if (!key.startsWith(prefix)) return;
        if (matches(key)) yield key;
      }
      if (page.length < KEYS_PAGE_SIZE) return;
      from = page[page.length - 1] as string;
    }
  }

  clear(): Promise<number> {
    return this.#run(() =>
      this.#shared.write(() => {
        const p = this.#params();
        const live = this.#shared.prepare(Q.COUNT_LIVE).pluck().get(p) as number;
        this.#shared.prepare(Q.CLEAR).run(p);
        return live;
      }),
    );
  }

  stats(): Promise<CacheStats> {
    return this.#run(() => {
      const entries = this.#shared.prepare(Q.COUNT_LIVE).pluck().get(this.#params()) as number;
      const { hits, misses, evictions } = this.#counters;
      return { entries, hits, misses, evictions };
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#sweep.stop();
  }
}
