import {
  assertInteger,
  assertKey,
  assertKeys,
  assertName,
  assertPlainObject,
  assertTtl,
  BackendError,
  type Cache,
  type CacheEntry,
  type CacheOptions,
  type CacheStats,
  closedError,
  compileGlob,
  encodeValue,
  invalidArgument,
  isPlainObject,
  type SetOptions,
} from "@core/protocols";
import { checkCacheOptions, checkSetOptions, type ResolvedCacheOptions } from "./cache-options.js";
import { cacheStatements, likePrefix } from "./cache-sql.js";
import { query } from "./db.js";
import { BACKEND, decodeStored } from "./errors.js";
import { decodeKey, encodeKey } from "./keys.js";
import type { CacheCounters, StoreShared } from "./shared.js";

const KEYS_PAGE = 500;
/**
 * Opens a cache namespace: rows of `cache_entries` with `ns = name`, expiry in SQL (an
 * expired row is invisible to every read) plus an unref'd sweep, LRU by `touched` when
 * `maxEntries` is set, `add`/`increment` as one `INSERT … ON CONFLICT` statement and
 * batches as one statement over `unnest` arrays.
 *
 * @example
 * ```ts
 * const cache = createPostgresCache<number>(shared, "counters", { defaultTtlMs: 60_000 });
 * await cache.increment("hits");
 * ```
 */
export function createPostgresCache<V>(shared: StoreShared, name: string, options?: CacheOptions): Cache<V> {
  assertName(BACKEND, name, "cache name");
  return new PostgresCache<V>(shared, name, checkCacheOptions(options));
}

class PostgresCache<V> implements Cache<V> {
  readonly name: string;
  readonly #shared: StoreShared;
  readonly #o: ResolvedCacheOptions;
  readonly #sql: ReturnType<typeof cacheStatements>;
  readonly #counters: CacheCounters;
  readonly #timer: NodeJS.Timeout;
  readonly #unregister: () => void;
  #closed = false;

  constructor(shared: StoreShared, name: string, options: ResolvedCacheOptions) {
    this.name = name;
    this.#shared = shared;
    this.#o = options;
    this.#sql = cacheStatements(`${shared.quotedSchema}.cache_entries`, `${shared.quotedSchema}.cache_touch`);
    let counters = shared.cacheCounters.get(name);
    if (!counters) shared.cacheCounters.set(name, (counters = { hits: 0, misses: 0, evictions: 0 }));
    this.#counters = counters;
    this.#timer = setInterval(() => void this.#sweep(), options.sweepIntervalMs);
    this.#timer.unref();
    this.#unregister = shared.lifecycle.onClose(() => clearInterval(this.#timer));
  }

  #open(): void {
    if (this.#closed) throw closedError(BACKEND);
    this.#shared.lifecycle.assertOpen();
  }

  #q(what: string, text: string, params: unknown[]) {
    return query(this.#shared, `cache.${what}`, text, params, !this.#sql.unprepared.has(text));
  }

  async #sweep(): Promise<void> {
    if (this.#closed || this.#shared.lifecycle.closed) return;
    // Best effort: a failed sweep is retried at the next tick; reads never see expired rows.
    await this.#q("sweep", this.#sql.sweep, [this.name]).catch(() => {});
  }

  // A write (`$1…$4`); with maxEntries, its evicting variant drops the least recently
  // used rows beyond the limit in the same statement (one round trip).
  async #write(
    what: string,
    plain: string,
    evicting: string,
    params: unknown[],
  ): Promise<Record<string, unknown> | undefined> {
    const max = this.#o.maxEntries;
    if (max === undefined) return (await this.#q(what, plain, params)).rows[0];
    const { rows } = await this.#q(what, evicting, [...params, max]);
    this.#counters.evictions += Number(rows[0]?.evicted ?? 0);
    return rows[0];
  }

  #ttl(ttlMs: number | undefined): number | null {
    return ttlMs ?? this.#o.defaultTtlMs ?? null;
  }

  #decode(text: string): V {
    return decodeStored(this.#o.codec, text) as V;
  }

  async get(key: string): Promise<V | undefined> {
    this.#open();
    assertKey(BACKEND, key);
    const text = this.#o.maxEntries === undefined ? this.#sql.get : this.#sql.getTouch;
    const { rows } = await this.#q("get", text, [this.name, encodeKey(key)]);
    const row = rows[0];
    if (!row) {
      this.#counters.misses++;
      return undefined;
    }
    this.#counters.hits++;
    return this.#decode(row.value);
  }

  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    this.#open();
    assertKeys(BACKEND, keys);
    if (keys.length === 0) return [];
    const text = this.#o.maxEntries === undefined ? this.#sql.getMany : this.#sql.getManyTouch;
    const { rows } = await this.#q("getMany", text, [this.name, [...new Set(keys)].map(encodeKey)]);
    const found = new Map<string, string>();
    for (const row of rows) found.set(decodeKey(row.key), row.value);
    const counters = this.#counters;
    const out: (V | undefined)[] = [];
    for (const key of keys) {
      const value = found.get(key);
      if (value === undefined) {
        counters.misses++;
        out.push(undefined);
      } else {
        counters.hits++;
        out.push(this.#decode(value));
      }
    }
    return out;
  }

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    this.#open();
    assertKey(BACKEND, key);
    const ttlMs = checkSetOptions(options);
    const text = encodeValue(BACKEND, this.#o.codec, value);
    await this.#write("set", this.#sql.set, this.#sql.setEvict, [this.name, encodeKey(key), text, this.#ttl(ttlMs)]);
  }

  async setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    this.#open();
    if (!Array.isArray(entries)) throw invalidArgument(BACKEND, "setMany needs an array of { key, value, ttlMs? }");
    // Validate and encode everything first: one bad entry means nothing is written.
    const n = entries.length;
    let keys: string[] = new Array(n);
    let values: string[] = new Array(n);
    let ttls: (number | null)[] = new Array(n);
    let expiring = false;
    for (let i = 0; i < n; i++) {
      const entry = entries[i] as CacheEntry<V>;
      if (!isPlainObject(entry)) assertPlainObject(BACKEND, entry, `entries[${i}]`);
      assertKey(BACKEND, entry.key);
      assertTtl(BACKEND, entry.ttlMs);
      keys[i] = encodeKey(entry.key); // injective, so repeated keys stay repeated
      values[i] = encodeValue(BACKEND, this.#o.codec, entry.value, i);
      const ttl = this.#ttl(entry.ttlMs);
      ttls[i] = ttl;
      if (ttl !== null) expiring = true;
    }
    if (n === 0) return;
    // One statement cannot write a row twice: a repeated key keeps its last value (and
    // position). Rare, so the common batch of distinct keys skips the rebuild.
    if (new Set(keys).size < n) {
      const last = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        last.delete(keys[i] as string);
        last.set(keys[i] as string, i);
      }
      const kept = [...last.values()];
      keys = kept.map((i) => keys[i] as string);
      values = kept.map((i) => values[i] as string);
      ttls = kept.map((i) => ttls[i] as number | null);
    }
    const max = this.#o.maxEntries;
    if (max === undefined || keys.length <= max) {
      if (max === undefined && !expiring) {
        await this.#q("setMany", this.#sql.setManyForever, [this.name, keys, values]);
        return;
      }
      await this.#write("setMany", this.#sql.setMany, this.#sql.setManyEvict, [this.name, keys, values, ttls]);
      return;
    }
    // More keys than fit: the eviction must see the batch's own rows, so it runs after it.
    await this.#q("setMany", this.#sql.setMany, [this.name, keys, values, ttls]);
    const { rows } = await this.#q("evict", this.#sql.evict, [this.name, max]);
    this.#counters.evictions += Number(rows[0]?.evicted ?? 0);
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    this.#open();
    assertKey(BACKEND, key);
    const ttlMs = checkSetOptions(options);
    const text = encodeValue(BACKEND, this.#o.codec, value);
    const row = await this.#write("add", this.#sql.add, this.#sql.addEvict, [
      this.name,
      encodeKey(key),
      text,
      this.#ttl(ttlMs),
    ]);
    // Plain: a row means written; evicting: the count of rows written.
    return row !== undefined && Number(row.written ?? 1) > 0;
  }

  async increment(key: string, by = 1): Promise<number> {
    this.#open();
    assertKey(BACKEND, key);
    assertInteger(BACKEND, by, "by");
    let row: Record<string, unknown> | undefined;
    try {
      row = await this.#write("increment", this.#sql.increment, this.#sql.incrementEvict, [
        this.name,
        encodeKey(key),
        by,
        this.#o.defaultTtlMs ?? null,
      ]);
    } catch (err) {
      if (BackendError.is(err, "INVALID_ARGUMENT")) {
        throw new BackendError(
          "INVALID_ARGUMENT",
          `[${BACKEND}] increment: the value of ${JSON.stringify(key)} is not an integer`,
          {
            backend: BACKEND,
            cause: err,
          },
        );
      }
      throw err;
    }
    // No value back: the WHERE guard refused a result outside the safe-integer range.
    if (row?.value === undefined || row.value === null) {
      throw new BackendError(
        "INVALID_ARGUMENT",
        `[${BACKEND}] increment: adding ${by} to ${JSON.stringify(key)} leaves the safe integer range (value unchanged)`,
        { backend: BACKEND },
      );
    }
    return Number(row.value);
  }

  async delete(key: string): Promise<boolean> {
    this.#open();
    assertKey(BACKEND, key);
    const { rows } = await this.#q("delete", this.#sql.deleteMany, [this.name, [encodeKey(key)]]);
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    this.#open();
    assertKeys(BACKEND, keys);
    if (keys.length === 0) return 0;
    const { rows } = await this.#q("deleteMany", this.#sql.deleteMany, [this.name, [...new Set(keys)].map(encodeKey)]);
    return Number(rows[0]?.n ?? 0);
  }

  async has(key: string): Promise<boolean> {
    this.#open();
    assertKey(BACKEND, key);
    const { rowCount } = await this.#q("has", this.#sql.ttl, [this.name, encodeKey(key)]);
    return (rowCount ?? 0) > 0;
  }

  async ttl(key: string): Promise<number | null | undefined> {
    this.#open();
    assertKey(BACKEND, key);
    const { rows } = await this.#q("ttl", this.#sql.ttl, [this.name, encodeKey(key)]);
    const row = rows[0];
    if (!row) return undefined;
    return row.ms === null ? null : Number(row.ms);
  }

  async *keys(options?: { match?: string }): AsyncGenerator<string> {
    this.#open();
    if (options !== undefined) assertPlainObject(BACKEND, options, "keys options");
    const match = options?.match;
    if (match !== undefined && typeof match !== "string") throw invalidArgument(BACKEND, "match must be a string");
    const test = match === undefined ? () => true : compileGlob(match);
    // The server narrows by the literal head of the glob; the exact glob runs here.
    const like = likePrefix(encodeKey(match === undefined ? "" : (match.split(/[*?]/, 1)[0] ?? "")));
    let after = "";
    for (;;) {
      this.#open();
      const { rows } = await this.#q("keys", this.#sql.keysPage, [this.name, after, like, KEYS_PAGE]);
      for (const row of rows) {
        const key = decodeKey(row.key);
        if (test(key)) yield key;
      }
      if (rows.length < KEYS_PAGE) return;
      after = rows[rows.length - 1]?.key;
    }
  }

  async clear(): Promise<number> {
    this.#open();
    const { rows } = await this.#q("clear", this.#sql.clear, [this.name]);
    return Number(rows[0]?.n ?? 0);
  }

  async stats(): Promise<CacheStats> {
    this.#open();
    const { rows } = await this.#q("stats", this.#sql.count, [this.name]);
    const { hits, misses, evictions } = this.#counters;
    return { entries: Number(rows[0]?.n ?? 0), hits, misses, evictions };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unregister();
  }
}
