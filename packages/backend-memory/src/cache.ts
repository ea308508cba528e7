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
  closedError,
  compileGlob,
  describeValue,
  invalidArgument,
  type Lifecycle,
  type SetOptions,
} from "@core/protocols";
import { type CacheState, checkCacheOptions, decodeWith, encodeWith, stateOf } from "./cache-state.js";
import type { MemoryShared } from "./shared.js";

const BACKEND = "memory";
const NEVER = Number.POSITIVE_INFINITY;

/**
 * Opens the cache namespace `name` in this backend's memory. Handles opened on the same
 * name share data and statistics; values are stored encoded by the codec, so reads and
 * writes copy and unencodable values are rejected before anything is written.
 *
 * Expired entries are dropped when read and by a sweep every `sweepIntervalMs` (which only
 * runs while entries with a TTL exist). `stats().entries` counts stored entries, which may
 * include expired ones the sweep has not reached yet.
 *
 * @example
 * ```ts
 * const cache = createMemoryCache<number>(shared, "hits", { defaultTtlMs: 60_000 });
 * await cache.increment("home");
 * ```
 */
export function createMemoryCache<V>(shared: MemoryShared, name: string, options?: CacheOptions): Cache<V> {
  assertName(BACKEND, name, "cache name");
  const checked = checkCacheOptions(options, shared.sweepIntervalMs);
  const state = stateOf(shared, name);
  // Stryker disable next-line ConditionalExpression: recency only reorders keys(), whose order the contract leaves open
  if (checked.maxEntries !== NEVER) state.lru = true;
  // Stryker disable next-line UpdateOperator: a negative count only leaves an idle, unref'd sweep timer running after the last close
  state.handles++;
  return new MemoryCache<V>(shared, name, state, checked);
}

class MemoryCache<V> implements Cache<V> {
  readonly name: string;
  readonly #shared: MemoryShared;
  readonly #life: Lifecycle;
  readonly #state: CacheState;
  readonly #codec: Codec;
  readonly #defaultTtlMs: number | undefined;
  readonly #maxEntries: number;
  readonly #sweepMs: number;
  #closed = false;

  constructor(shared: MemoryShared, name: string, state: CacheState, options: ReturnType<typeof checkCacheOptions>) {
    this.name = name;
    this.#shared = shared;
    this.#life = shared.lifecycle;
    this.#state = state;
    this.#codec = options.codec;
    this.#defaultTtlMs = options.defaultTtlMs;
    this.#maxEntries = options.maxEntries;
    this.#sweepMs = options.sweepIntervalMs;
  }

  // Every operation is synchronous, so there is never in-flight work for close() to wait
  // for: checking the state up front is all Lifecycle.run would add.
  #open(): void {
    this.#life.assertOpen();
    if (this.#closed) throw closedError(BACKEND);
  }

  #expiry(ttlMs: number | undefined): number {
    const ttl = ttlMs ?? this.#defaultTtlMs;
    return ttl === undefined ? NEVER : Date.now() + ttl;
  }

  #store(key: string, text: string, expiresAt: number): void {
    this.#state.write(key, text, expiresAt);
    if (expiresAt !== NEVER) this.#state.scheduleSweep(this.#shared, this.#sweepMs);
    // Stryker disable next-line ConditionalExpression: evict(Infinity) returns at once
    if (this.#maxEntries !== NEVER) this.#state.evict(this.#maxEntries);
  }

  #read(key: string): V | undefined {
    const state = this.#state;
    const slot = state.live(key);
    if (slot === undefined) {
      state.misses++;
      return undefined;
    }
    state.hits++;
    state.touch(key, slot);
    return decodeWith(this.#codec, slot.text) as V;
  }

  async get(key: string): Promise<V | undefined> {
    assertKey(BACKEND, key);
    this.#open();
    return this.#read(key);
  }

  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    assertKeys(BACKEND, keys);
    this.#open();
    // Stryker disable next-line ArrayDeclaration: every index is assigned below
    const out = new Array<V | undefined>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = this.#read(keys[i] as string);
    return out;
  }

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    assertKey(BACKEND, key);
    if (options !== undefined) assertPlainObject(BACKEND, options, "options");
    const ttlMs = options?.ttlMs;
    assertTtl(BACKEND, ttlMs);
    const text = encodeWith(this.#codec, value);
    this.#open();
    this.#store(key, text, this.#expiry(ttlMs));
  }

  async setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    if (!Array.isArray(entries)) {
      throw invalidArgument(BACKEND, `setMany needs an array of { key, value, ttlMs? }, got ${describeValue(entries)}`);
    }
    // Encode everything first: one bad entry means nothing is written.
    // Stryker disable next-line ArrayDeclaration: every index is assigned below
    const texts = new Array<string>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry === null || typeof entry !== "object") {
        throw invalidArgument(BACKEND, `setMany entry ${i} must be { key, value, ttlMs? }`);
      }
      assertKey(BACKEND, entry.key);
      assertTtl(BACKEND, entry.ttlMs);
      texts[i] = encodeWith(this.#codec, entry.value);
    }
    this.#open();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as CacheEntry<V>;
      this.#store(entry.key, texts[i] as string, this.#expiry(entry.ttlMs));
    }
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    assertKey(BACKEND, key);
    if (options !== undefined) assertPlainObject(BACKEND, options, "options");
    const ttlMs = options?.ttlMs;
    assertTtl(BACKEND, ttlMs);
    const text = encodeWith(this.#codec, value);
    this.#open();
    if (this.#state.live(key) !== undefined) return false;
    this.#store(key, text, this.#expiry(ttlMs));
    return true;
  }

  async increment(key: string, by = 1): Promise<number> {
    assertKey(BACKEND, key);
    assertInteger(BACKEND, by, "by");
    this.#open();
    const slot = this.#state.live(key);
    let current = 0;
    if (slot !== undefined) {
      const stored = decodeWith(this.#codec, slot.text);
      // Stryker disable next-line LogicalOperator: a non-number is never a safe integer, and a non-integer number fails the range check below with the same code
      if (typeof stored !== "number" || !Number.isSafeInteger(stored)) {
        throw invalidArgument(
          BACKEND,
          `cannot increment ${JSON.stringify(key)}: it holds ${describeValue(stored)}, not an integer`,
        );
      }
      current = stored;
    }
    const next = current + by;
    if (!Number.isSafeInteger(next)) {
      throw invalidArgument(BACKEND, `incrementing ${JSON.stringify(key)} by ${by} leaves the safe integer range`);
    }
    const text = encodeWith(this.#codec, next);
    if (slot === undefined) this.#store(key, text, this.#expiry(undefined));
    else this.#store(key, text, slot.expiresAt); // an existing entry keeps its TTL
    return next;
  }

  async delete(key: string): Promise<boolean> {
    assertKey(BACKEND, key);
    this.#open();
    return this.#state.live(key) !== undefined && this.#state.entries.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    assertKeys(BACKEND, keys);
    this.#open();
    let count = 0;
    for (const key of keys) if (this.#state.live(key) !== undefined && this.#state.entries.delete(key)) count++;
    return count;
  }

  async has(key: string): Promise<boolean> {
    assertKey(BACKEND, key);
    this.#open();
    return this.#state.live(key) !== undefined;
  }

  async ttl(key: string): Promise<number | null | undefined> {
    assertKey(BACKEND, key);
    this.#open();
    const slot = this.#state.live(key);
    if (slot === undefined) return undefined;
    return slot.expiresAt === NEVER ? null : slot.expiresAt - Date.now();
  }

  async *keys(options?: { match?: string }): AsyncIterable<string> {
    const match = options?.match;
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw invalidArgument(BACKEND, `keys options must be an object, got ${describeValue(options)}`);
    }
    if (match !== undefined && typeof match !== "string") {
      throw invalidArgument(BACKEND, `match must be a string glob, got ${describeValue(match)}`);
    }
    this.#open();
    const matches = compileGlob(match ?? "*");
    // A snapshot: reads re-insert keys (LRU), which would make a live iteration repeat them.
    const snapshot = [...this.#state.entries.keys()];
    for (const key of snapshot) {
      this.#open();
      if (matches(key) && this.#state.live(key) !== undefined) yield key;
    }
  }

  async clear(): Promise<number> {
    this.#open();
    const now = Date.now();
    let count = 0;
    for (const slot of this.#state.entries.values()) if (slot.expiresAt > now) count++;
    this.#state.entries.clear();
    this.#state.stopSweep();
    return count;
  }

  async stats(): Promise<CacheStats> {
    this.#open();
    const { entries, hits, misses, evictions } = this.#state;
    return { entries: entries.size, hits, misses, evictions };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The sweep belongs to the namespace: it stops with the last open handle.
    if (--this.#state.handles === 0) this.#state.stopSweep();
  }
}
