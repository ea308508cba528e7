import type {
  CacheCounters,
  CacheDriver,
  CacheRow,
  CacheSettings,
  CacheStore,
  CacheValues,
  MaybePromise,
} from "@core/protocols/kit";
import { incrementInSql, incrementInTransaction } from "./cache-increment.js";
import { type CacheParams, cacheParams, DEFAULT_SWEEP_MS } from "./cache-params.js";
import { readCacheEntries, readCacheEntry } from "./cache-reads.js";
import { CacheSweep, evictLeastRecentlyUsed } from "./cache-reclaim.js";
import * as Q from "./cache-sql.js";
import { writeCacheRows } from "./cache-write-rows.js";
import { BACKEND } from "./errors.js";
import type { SqliteShared } from "./shared.js";
import { integersAsText } from "./values.js";

const KEYS_PAGE_SIZE = 256;

/**
 * The sqlite backend's cache driver: one row per entry in the shared `core_cache` table.
 * Expired entries are invisible to every read, deleted when a read meets them and by a
 * sweep every `sweepIntervalMs` (unref'd timer). With `maxEntries`, reads refresh a
 * recency counter and every write evicts the least recently used entries in the same
 * transaction. `add` and `increment` are single statements, so they are atomic across
 * processes; batch calls run in one transaction.
 *
 * @example
 * ```ts
 * const cache = createCache<number>(sqliteCacheDriver(shared), "hits", { defaultTtlMs: 60_000 });
 * await cache.increment("home");
 * ```
 */
export function sqliteCacheDriver(shared: SqliteShared): CacheDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    maxEntries: true,
    sweepIntervalMs: DEFAULT_SWEEP_MS,
    open: (name, settings) => new SqliteCacheStore(shared, name, settings),
  };
}

class SqliteCacheStore implements CacheStore {
  readonly counters: CacheCounters;
  readonly #shared: SqliteShared;
  readonly #name: string;
  readonly #values: CacheValues;
  readonly #maxEntries: number | undefined;
  readonly #sqlIncrement: boolean;
  /** Write statements: maxEntries caches refresh recency on every write, others only on insert. */
  readonly #setSql: string;
  readonly #incrementSql: string;
  readonly #sweep: CacheSweep;
  #closed = false;

  constructor(shared: SqliteShared, name: string, settings: CacheSettings) {
    this.#shared = shared;
    this.#name = name;
    this.#values = settings.values;
    this.#maxEntries = settings.maxEntries;
    this.#sqlIncrement = integersAsText(settings.codec);
    this.#sweep = new CacheSweep(shared, name, settings.sweepIntervalMs);
    const lru = settings.maxEntries !== undefined;
    this.#setSql = lru ? Q.SET : Q.SET_KEEP_RECENCY;
    this.#incrementSql = lru ? Q.INCREMENT : Q.INCREMENT_KEEP_RECENCY;
    let counters = shared.cacheCounters.get(name);
    if (counters === undefined) {
      counters = { hits: 0, misses: 0, evictions: 0 };
      shared.cacheCounters.set(name, counters);
    }
    this.counters = counters;
  }

  #params(key: string | null = null, value: string | null = null, expires: number | null = null): CacheParams {
    return cacheParams(this.#name, key, value, expires);
  }

  #expiry(ttlMs: number | undefined): number | null {
    if (ttlMs === undefined) return null;
    if (!this.#closed) this.#sweep.start();
    return Date.now() + ttlMs;
  }

  /** Evicts least recently used entries above maxEntries; call inside the write transaction. */
  #evict(p: CacheParams): void {
    if (this.#maxEntries !== undefined) evictLeastRecentlyUsed(this.#shared, this.counters, this.#maxEntries, p);
  }

  /** A write statement plus eviction, atomic. */
  #write<T>(p: CacheParams, fn: () => T): T {
    if (this.#maxEntries === undefined) return fn();
    return this.#shared.write(() => {
      const result = fn();
      this.#evict(p);
      return result;
    });
  }

  get(key: string): MaybePromise<string | undefined> {
    return this.#shared.runNow(() => readCacheEntry(this.#shared, this.#maxEntries !== undefined, this.#name, key));
  }

  getMany(keys: readonly string[]): MaybePromise<(string | undefined)[]> {
    return this.#shared.runNow(() => {
      const lru = this.#maxEntries !== undefined;
      const readAll = () => keys.map((key) => readCacheEntry(this.#shared, lru, this.#name, key));
      if (keys.length <= 1) return readAll();
      // maxEntries reads write (recency), so they need the write transaction.
      return lru ? this.#shared.write(readAll) : readCacheEntries(this.#shared, this.#name, keys);
    });
  }

  set(key: string, text: string, ttlMs: number | undefined): MaybePromise<void> {
    const expires = this.#expiry(ttlMs);
    return this.#shared.runNow(() => this.#set(key, text, expires));
  }

  #set(key: string, text: string, expires: number | null): void {
    const { prepare } = this.#shared;
    const ns = this.#name;
    if (this.#maxEntries !== undefined) {
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

  setMany(rows: readonly CacheRow[]): MaybePromise<void> {
    const all = rows.map(([key, text, ttlMs]) => [key, text, this.#expiry(ttlMs)] as const);
    return this.#shared.runNow(() => {
      const p = this.#params();
      this.#shared.write(() => {
        writeCacheRows(this.#shared, p, all, this.#maxEntries !== undefined);
        this.#evict(p);
      });
    });
  }

  add(key: string, text: string, ttlMs: number | undefined): MaybePromise<boolean> {
    const p = this.#params(key, text, this.#expiry(ttlMs));
    return this.#shared.runNow(() => this.#write(p, () => this.#shared.prepare(Q.ADD).all(p).length > 0));
  }

  increment(key: string, by: number, ttlMs: number | undefined): MaybePromise<number> {
    const p = { ...this.#params(key, null, this.#expiry(ttlMs)), by };
    return this.#shared.runNow(() =>
      this.#write(p, () =>
        this.#sqlIncrement
          ? incrementInSql(this.#shared, this.#values, this.#incrementSql, p)
          : incrementInTransaction(this.#shared, this.#values, this.#setSql, p),
      ),
    );
  }

  delete(key: string): MaybePromise<boolean> {
    return this.#shared.runNow(() => this.#deleteOne(this.#params(key)));
  }

  #deleteOne(p: CacheParams): boolean {
    const expires = this.#shared.prepare(Q.DELETE).pluck().all(p) as (number | null)[];
    return expires.length > 0 && (expires[0] === null || (expires[0] as number) > p.now);
  }

  deleteMany(keys: readonly string[]): MaybePromise<number> {
    return this.#shared.runNow(() =>
      this.#shared.write(() => {
        let count = 0;
        for (const key of keys) if (this.#deleteOne(this.#params(key))) count++;
        return count;
      }),
    );
  }

  has(key: string): MaybePromise<boolean> {
    const left = this.ttl(key);
    return left instanceof Promise ? left.then((ms) => ms !== undefined) : left !== undefined;
  }

  ttl(key: string): MaybePromise<number | null | undefined> {
    return this.#shared.runNow(() => {
      const p = this.#params(key);
      const row = this.#shared.prepare(Q.GET).get(p.ns, p.key) as { expires_at: number | null } | undefined;
      if (row === undefined) return undefined;
      if (row.expires_at === null) return null;
      if (row.expires_at > p.now) return row.expires_at - p.now;
      this.#shared.prepare(Q.DELETE_EXPIRED_KEY).run(p);
      return undefined;
    });
  }

  async *keys(prefix: string): AsyncIterable<string> {
    // Keys sharing the glob's literal prefix are contiguous in BINARY order: page through
    // that range only (a range, not GLOB/LIKE, so keys holding U+0000 work too).
    let from = prefix;
    let first = true;
    for (;;) {
      const page = await this.#shared.run(() => {
        const p = { ...this.#params(), from, limit: KEYS_PAGE_SIZE };
        return this.#shared
          .prepare(first ? Q.KEYS_FIRST_PAGE : Q.KEYS_PAGE)
          .pluck()
          .all(p) as string[];
      });
      first = false;
      for (const key of page) {
        if (!key.startsWith(prefix)) return;
        yield key;
      }
      if (page.length < KEYS_PAGE_SIZE) return;
      from = page[page.length - 1] as string;
    }
  }

  clear(): MaybePromise<number> {
    return this.#shared.runNow(() =>
      this.#shared.write(() => {
        const p = this.#params();
        const live = this.#shared.prepare(Q.COUNT_LIVE).pluck().get(p) as number;
        this.#shared.prepare(Q.CLEAR).run(p);
        return live;
      }),
    );
  }

  /** `entries` and `live`: live entries; `expired`: past their TTL, not yet swept. */
  stats(): MaybePromise<{ entries: number; live: number; expired: number }> {
    return this.#shared.runNow(() => {
      const { live, stored } = this.#shared.prepare(Q.COUNT_SPLIT).get(this.#params()) as {
        live: number;
        stored: number;
      };
      return { entries: live, live, expired: stored - live };
    });
  }

  close(): void {
    this.#closed = true;
    this.#sweep.stop();
  }
}
