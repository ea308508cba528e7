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
  type Codec,
  checkCodec,
  closedError,
  compileGlob,
  describeValue,
  invalidArgument,
  type SetOptions,
} from "@core/protocols";
import * as Q from "./cache-sql.js";
import { BACKEND } from "./errors.js";
import type { CacheCounters, SqliteShared } from "./shared.js";
import { decodeWith, encodeWith, integersAsText } from "./values.js";

/** Default period of the background sweep of expired entries (ms). */
export const DEFAULT_SWEEP_MS = 30_000;
const KEYS_PAGE_SIZE = 256;

interface Checked {
  defaultTtlMs: number | undefined;
  maxEntries: number | undefined;
  sweepIntervalMs: number;
  codec: Codec;
}

function checkOptions(options: CacheOptions | undefined): Checked {
  if (options === undefined) {
    return {
      defaultTtlMs: undefined,
      maxEntries: undefined,
      sweepIntervalMs: DEFAULT_SWEEP_MS,
      codec: checkCodec(BACKEND, undefined),
    };
  }
  assertPlainObject(BACKEND, options as unknown, "cache options");
  const { defaultTtlMs, maxEntries, sweepIntervalMs } = options;
  assertTtl(BACKEND, defaultTtlMs);
  if (
    maxEntries !== undefined &&
    (typeof maxEntries !== "number" || !Number.isSafeInteger(maxEntries) || maxEntries < 1)
  ) {
    throw invalidArgument(BACKEND, `maxEntries must be a positive integer, got ${describeValue(maxEntries)}`);
  }
  if (
    sweepIntervalMs !== undefined &&
    (typeof sweepIntervalMs !== "number" || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs <= 0)
  ) {
    throw invalidArgument(BACKEND, `sweepIntervalMs must be a positive number, got ${describeValue(sweepIntervalMs)}`);
  }
  return {
    defaultTtlMs,
    maxEntries,
    sweepIntervalMs: sweepIntervalMs ?? DEFAULT_SWEEP_MS,
    codec: checkCodec(BACKEND, options.codec),
  };
}

interface Params {
  ns: string;
  key: string | null;
  value: string | null;
  expires: number | null;
  now: number;
  by: number;
  from: string;
  limit: number;
}

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
  return new SqliteCache<V>(shared, name, checkOptions(options));
}

class SqliteCache<V> implements Cache<V> {
  readonly name: string;
  readonly #shared: SqliteShared;
  readonly #o: Checked;
  readonly #counters: CacheCounters;
  readonly #sqlIncrement: boolean;
  /** Write statements: maxEntries caches refresh recency on every write, others only on insert. */
  readonly #setSql: string;
  readonly #incrementSql: string;
  readonly #setAtSql: string;
  #sweep: NodeJS.Timeout | undefined;
  #unregister: (() => void) | undefined;
  #closed = false;

  constructor(shared: SqliteShared, name: string, options: Checked) {
    this.name = name;
    this.#shared = shared;
    this.#o = options;
    this.#sqlIncrement = integersAsText(options.codec);
    const lru = options.maxEntries !== undefined;
    this.#setSql = lru ? Q.SET : Q.SET_KEEP_RECENCY;
    this.#incrementSql = lru ? Q.INCREMENT : Q.INCREMENT_KEEP_RECENCY;
    this.#setAtSql = lru ? Q.SET_AT : Q.SET_AT_KEEP_RECENCY;
    let counters = shared.cacheCounters.get(name);
    if (counters === undefined) {
      counters = { hits: 0, misses: 0, evictions: 0 };
      shared.cacheCounters.set(name, counters);
    }
    this.#counters = counters;
  }

  #params(key: string | null = null, value: string | null = null, expires: number | null = null): Params {
    return { ns: this.name, key, value, expires, now: Date.now(), by: 0, from: "", limit: 0 };
  }

  #run<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(closedError(BACKEND));
    return this.#shared.run(fn);
  }

  #expiry(ttlMs: number | undefined): number | null {
    const ttl = ttlMs ?? this.#o.defaultTtlMs;
    if (ttl === undefined) return null;
    this.#startSweep();
    return Date.now() + ttl;
  }

  #startSweep(): void {
    if (this.#sweep !== undefined || this.#closed) return;
    this.#sweep = setInterval(() => {
      if (this.#shared.lifecycle.closed || this.#shared.db.inTransaction) return;
      try {
        this.#shared.prepare(Q.SWEEP).run(this.#params());
      } catch {
        // Busy or closing: the next sweep (or a read) reclaims the space.
      }
    }, this.#o.sweepIntervalMs);
    this.#sweep.unref();
    this.#unregister = this.#shared.lifecycle.onClose(() => this.#stopSweep());
  }

  #stopSweep(): void {
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#unregister?.();
    this.#unregister = undefined;
  }

  /** Evicts least recently used entries above maxEntries; call inside the write transaction. */
  #evict(p: Params): void {
    const max = this.#o.maxEntries;
    if (max === undefined) return;
    let excess = (this.#shared.prepare(Q.COUNT_ALL).pluck().get(p) as number) - max;
    if (excess <= 0) return;
    // Expired entries go first and are not evictions.
    excess -= this.#shared.prepare(Q.SWEEP).run(p).changes;
    if (excess <= 0) return;
    const rows = this.#shared
      .prepare(Q.EVICT)
      .pluck()
      .all({ ...p, limit: excess }) as (number | null)[];
    this.#counters.evictions += rows.length;
  }

  /** A write statement plus eviction, atomic. */
  #write<T>(p: Params, fn: () => T): T {
    if (this.#o.maxEntries === undefined) return fn();
    return this.#shared.write(() => {
      const result = fn();
      this.#evict(p);
      return result;
    });
  }

  #read(p: Params): V | undefined {
    const prepare = this.#shared.prepare;
    let text: string | undefined;
    if (this.#o.maxEntries !== undefined) {
      text = prepare(Q.GET_TOUCH).pluck().get(p) as string | undefined;
      if (text === undefined) prepare(Q.DELETE_EXPIRED_KEY).run(p);
    } else {
      const row = prepare(Q.GET).get(p.ns, p.key) as { value: string; expires_at: number | null } | undefined;
      if (row !== undefined && row.expires_at !== null && row.expires_at <= p.now) {
        prepare(Q.DELETE_EXPIRED_KEY).run(p);
      } else {
        text = row?.value;
      }
    }
    if (text === undefined) {
      this.#counters.misses++;
      return undefined;
    }
    this.#counters.hits++;
    return decodeWith(this.#o.codec, text) as V;
  }

  get(key: string): Promise<V | undefined> {
    try {
      assertKey(BACKEND, key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => this.#read(this.#params(key)));
  }

  getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    try {
      assertKeys(BACKEND, keys);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => {
      const readAll = () => keys.map((key) => this.#read(this.#params(key)));
      if (keys.length <= 1) return readAll();
      // maxEntries reads write (recency), so they need the write transaction.
      return this.#o.maxEntries !== undefined ? this.#shared.write(readAll) : this.#readMany(keys);
    });
  }

  /**
   * One `key IN (…)` statement per up to 1024 keys instead of a statement per key; the few
   * expired entries met are deleted afterwards (each delete re-checks the expiry itself).
   */
  #readMany(keys: readonly string[]): (V | undefined)[] {
    const now = Date.now();
    const found = new Map<string, { value: string; expires_at: number | null }>();
    const largest = Q.GET_MANY_SIZES[Q.GET_MANY_SIZES.length - 1] as number;
    for (let from = 0; from < keys.length; from += largest) {
      const count = Math.min(largest, keys.length - from);
      const size = Q.GET_MANY_SIZES.find((n) => n >= count) as number;
      const params: (string | null)[] = new Array(size + 1).fill(null);
      params[0] = this.name;
      for (let i = 0; i < count; i++) params[i + 1] = keys[from + i] as string;
      const rows = this.#shared.prepare(Q.GET_MANY.get(size) as string).all(params) as {
        key: string;
        value: string;
        expires_at: number | null;
      }[];
      for (const row of rows) found.set(row.key, row);
    }
    let expired: string[] | undefined;
    const values = keys.map((key) => {
      const row = found.get(key);
      if (row !== undefined && (row.expires_at === null || row.expires_at > now)) {
        this.#counters.hits++;
        return decodeWith(this.#o.codec, row.value) as V;
      }
      if (row !== undefined) (expired ??= []).push(key);
      this.#counters.misses++;
      return undefined;
    });
    if (expired !== undefined) {
      const remove = this.#shared.prepare(Q.DELETE_EXPIRED_KEY);
      for (const key of expired) remove.run({ ...this.#params(key), now });
    }
    return values;
  }

  set(key: string, value: V, options?: SetOptions): Promise<void> {
    let p: Params;
    try {
      assertKey(BACKEND, key);
      if (options !== undefined) assertPlainObject(BACKEND, options, "options");
      assertTtl(BACKEND, options?.ttlMs);
      p = this.#params(key, encodeWith(this.#o.codec, value), this.#expiry(options?.ttlMs));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => {
      this.#write(p, () => this.#shared.prepare(this.#setSql).run(p.ns, p.key, p.value, p.expires, p.ns));
    });
  }

  setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    const all: [key: string, text: string, expires: number | null][] = [];
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
        // The write lock is held: no other writer can take these recency values meanwhile.
        let access = this.#shared.prepare(Q.NEXT_ACCESS_VALUE).pluck().get(p) as number;
        const set = this.#shared.prepare(this.#setAtSql);
        for (const [key, text, expires] of all) set.run(this.name, key, text, expires, access++);
        this.#evict(p);
      });
    });
  }

  add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    let p: Params;
    try {
      assertKey(BACKEND, key);
      if (options !== undefined) assertPlainObject(BACKEND, options, "options");
      assertTtl(BACKEND, options?.ttlMs);
      p = this.#params(key, encodeWith(this.#o.codec, value), this.#expiry(options?.ttlMs));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => this.#write(p, () => this.#shared.prepare(Q.ADD).get(p) !== undefined));
  }

  increment(key: string, by = 1): Promise<number> {
    let p: Params;
    try {
      assertKey(BACKEND, key);
      assertInteger(BACKEND, by, "by");
      p = { ...this.#params(key, null, this.#expiry(undefined)), by };
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() =>
      this.#write(p, () => (this.#sqlIncrement ? this.#incrementInSql(p) : this.#incrementInTransaction(p))),
    );
  }

  #incrementInSql(p: Params): number {
    const text = this.#shared.prepare(this.#incrementSql).pluck().get(p) as string | undefined;
    if (text !== undefined) return decodeWith(this.#o.codec, text) as number;
    // No row back: a live entry that is not a safe integer, or the sum would leave the range.
    const row = this.#shared.prepare(Q.GET).get(p.ns, p.key) as { value: string } | undefined;
    const stored = row === undefined ? undefined : decodeWith(this.#o.codec, row.value);
    return this.#refuse(p, stored);
  }

  #incrementInTransaction(p: Params): number {
    return this.#shared.write(() => {
      const row = this.#shared.prepare(Q.GET).get(p.ns, p.key) as
        | { value: string; expires_at: number | null }
        | undefined;
      const live = row !== undefined && (row.expires_at === null || row.expires_at > p.now);
      const current = live ? decodeWith(this.#o.codec, row.value) : 0;
      if (typeof current !== "number" || !Number.isSafeInteger(current) || !Number.isSafeInteger(current + p.by)) {
        return this.#refuse(p, current);
      }
      const next = current + p.by;
      const expires = live ? row.expires_at : p.expires;
      this.#shared.prepare(this.#setSql).run(p.ns, p.key, encodeWith(this.#o.codec, next), expires, p.ns);
      return next;
    });
  }

  #refuse(p: Params, stored: unknown): never {
    const key = JSON.stringify(p.key);
    if (typeof stored === "number" && Number.isSafeInteger(stored)) {
      throw invalidArgument(BACKEND, `incrementing ${key} by ${p.by} leaves the safe integer range`);
    }
    throw invalidArgument(BACKEND, `cannot increment ${key}: it holds ${describeValue(stored)}, not an integer`);
  }

  delete(key: string): Promise<boolean> {
    try {
      assertKey(BACKEND, key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(() => this.#deleteOne(this.#params(key)));
  }

  #deleteOne(p: Params): boolean {
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
    this.#stopSweep();
  }
}
