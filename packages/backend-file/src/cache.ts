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
  type SetOptions,
} from "@core/protocols";
import { type CacheData, type CacheOp, setOp } from "./cache-data.js";
import {
  type CacheNamespace,
  type CheckedCacheOptions,
  checkCacheOptions,
  NEVER,
  openCacheNamespace,
  scheduleSweep,
} from "./cache-namespace.js";
import { decodeWith, encodeWith } from "./codec-io.js";
import { BACKEND } from "./errors.js";
import type { FileShared } from "./shared.js";

/**
 * Opens cache namespace `name`: a journal (`cache/<sha256(name)>/log`) of set/delete
 * operations with the expiry beside the value, replayed into memory and compacted when it
 * grows. Writes run under the namespace's lock file, so `add` and `increment` are atomic
 * across processes; reads catch up with other processes' writes first. Expired entries
 * are invisible at once and reclaimed by a sweep (unref'd timer) and compaction.
 *
 * @example
 * ```ts
 * const cache = createFileCache<number>(shared, "hits", { defaultTtlMs: 60_000 });
 * await cache.increment("home");
 * ```
 */
export function createFileCache<V>(shared: FileShared, name: string, options?: CacheOptions): Cache<V> {
  assertName(BACKEND, name, "cache name");
  const checked = checkCacheOptions(options, shared.sweepIntervalMs);
  const ns = openCacheNamespace(shared, name);
  ns.data.handles++;
  return new FileCache<V>(shared, name, ns, checked);
}

class FileCache<V> implements Cache<V> {
  readonly name: string;
  readonly #shared: FileShared;
  readonly #ns: CacheNamespace;
  readonly #codec: Codec;
  readonly #defaultTtlMs: number | undefined;
  readonly #maxEntries: number;
  readonly #sweepMs: number;
  #closed = false;

  constructor(shared: FileShared, name: string, ns: CacheNamespace, options: CheckedCacheOptions) {
    this.name = name;
    this.#shared = shared;
    this.#ns = ns;
    this.#codec = options.codec;
    this.#defaultTtlMs = options.defaultTtlMs;
    this.#maxEntries = options.maxEntries;
    this.#sweepMs = options.sweepIntervalMs;
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError(BACKEND));
    return this.#shared.lifecycle.run(fn);
  }

  #expiry(ttlMs: number | undefined): number {
    const ttl = ttlMs ?? this.#defaultTtlMs;
    return ttl === undefined ? NEVER : Date.now() + ttl;
  }

  /** Writes `sets` under the lock, plus the evictions they cause. */
  #write<T>(build: (data: CacheData) => { result: T; sets: CacheOp[]; other?: CacheOp[] }): Promise<T> {
    return this.#ns.journal
      .mutate(() => {
        const { result, sets, other = [] } = build(this.#ns.data);
        const writing = new Set(sets.map((op) => (op as { s: string }).s));
        const evictions = this.#maxEntries === NEVER ? [] : this.#ns.data.evictionOps(writing, this.#maxEntries);
        return { result, ops: [...other, ...evictions, ...sets] };
      })
      .finally(() => this.#scheduleSweep());
  }

  #scheduleSweep(): void {
    scheduleSweep(this.#shared, this.#ns, this.#sweepMs);
  }

  #read(key: string): V | undefined {
    const data = this.#ns.data;
    const slot = data.live(key);
    if (slot === undefined) {
      data.misses++;
      return undefined;
    }
    data.hits++;
    data.touch(key, slot);
    return decodeWith(this.#codec, slot.text) as V;
  }

  get(key: string): Promise<V | undefined> {
    return this.#run(async () => {
      assertKey(BACKEND, key);
      await this.#ns.journal.sync();
      return this.#read(key);
    });
  }

  getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    return this.#run(async () => {
      assertKeys(BACKEND, keys);
      await this.#ns.journal.sync();
      return keys.map((key) => this.#read(key));
    });
  }

  set(key: string, value: V, options?: SetOptions): Promise<void> {
    return this.#run(async () => {
      assertKey(BACKEND, key);
      if (options !== undefined) assertPlainObject(BACKEND, options as unknown, "options");
      assertTtl(BACKEND, options?.ttlMs);
      const text = encodeWith(this.#codec, value);
      await this.#write(() => ({ result: undefined, sets: [setOp(key, text, this.#expiry(options?.ttlMs))] }));
    });
  }

  setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    return this.#run(async () => {
      if (!Array.isArray(entries)) {
        throw invalidArgument(
          BACKEND,
          `setMany needs an array of { key, value, ttlMs? }, got ${describeValue(entries)}`,
        );
      }
      const texts = entries.map((entry, i) => {
        if (entry === null || typeof entry !== "object") {
          throw invalidArgument(BACKEND, `setMany entry ${i} must be { key, value, ttlMs? }`);
        }
        assertKey(BACKEND, entry.key);
        assertTtl(BACKEND, entry.ttlMs);
        return encodeWith(this.#codec, entry.value);
      });
      if (entries.length === 0) return;
      await this.#write(() => ({
        result: undefined,
        sets: entries.map((e, i) => setOp(e.key, texts[i] as string, this.#expiry(e.ttlMs))),
      }));
    });
  }

  add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    return this.#run(async () => {
      assertKey(BACKEND, key);
      if (options !== undefined) assertPlainObject(BACKEND, options as unknown, "options");
      assertTtl(BACKEND, options?.ttlMs);
      const text = encodeWith(this.#codec, value);
      return this.#write((data) =>
        data.live(key) !== undefined
          ? { result: false, sets: [] }
          : { result: true, sets: [setOp(key, text, this.#expiry(options?.ttlMs))] },
      );
    });
  }

  increment(key: string, by = 1): Promise<number> {
    return this.#run(async () => {
      assertKey(BACKEND, key);
      assertInteger(BACKEND, by, "by");
      return this.#write((data) => {
        const slot = data.live(key);
        let current = 0;
        if (slot !== undefined) {
          const stored = decodeWith(this.#codec, slot.text);
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
        const expiresAt = slot === undefined ? this.#expiry(undefined) : slot.expiresAt;
        return { result: next, sets: [setOp(key, encodeWith(this.#codec, next), expiresAt)] };
      });
    });
  }

  delete(key: string): Promise<boolean> {
    return this.#run(async () => {
      assertKey(BACKEND, key);
      return (await this.#deleteKeys([key])) === 1;
    });
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    return this.#run(async () => {
      assertKeys(BACKEND, keys);
      return this.#deleteKeys(keys);
    });
  }

  #deleteKeys(keys: readonly string[]): Promise<number> {
    return this.#ns.journal.mutate(() => {
      const now = Date.now();
      const seen = new Set<string>();
      let count = 0;
      const ops: CacheOp[] = [];
      for (const key of keys) {
        if (seen.has(key) || !this.#ns.data.entries.has(key)) continue;
        seen.add(key);
        if (this.#ns.data.live(key, now) !== undefined) count++;
        ops.push({ d: key });
      }
      return { result: count, ops };
    });
  }

  has(key: string): Promise<boolean> {
    return this.#run(async () => {
      assertKey(BACKEND, key);
      await this.#ns.journal.sync();
      return this.#ns.data.live(key) !== undefined;
    });
  }

  ttl(key: string): Promise<number | null | undefined> {
    return this.#run(async () => {
      assertKey(BACKEND, key);
      await this.#ns.journal.sync();
      const slot = this.#ns.data.live(key);
      if (slot === undefined) return undefined;
      return slot.expiresAt === NEVER ? null : Math.max(1, slot.expiresAt - Date.now());
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
    const matches = compileGlob(match ?? "*");
    await this.#run(() => this.#ns.journal.sync());
    const snapshot = [...this.#ns.data.entries.keys()];
    for (const key of snapshot) {
      if (this.#closed || this.#shared.lifecycle.closed) throw closedError(BACKEND);
      if (matches(key) && this.#ns.data.live(key) !== undefined) yield key;
    }
  }

  clear(): Promise<number> {
    return this.#run(() =>
      this.#ns.journal.mutate(() => {
        const now = Date.now();
        let count = 0;
        for (const slot of this.#ns.data.entries.values()) if (slot.expiresAt > now) count++;
        return { result: count, ops: [{ x: 1 } as CacheOp] };
      }),
    );
  }

  stats(): Promise<CacheStats> {
    return this.#run(async () => {
      await this.#ns.journal.sync();
      const { entries, hits, misses, evictions } = this.#ns.data;
      const { truncatedBytes, damagedRecords } = this.#ns.journal;
      return { entries: entries.size, hits, misses, evictions, truncatedBytes, damagedRecords };
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (--this.#ns.data.handles === 0 && this.#ns.timer) {
      clearInterval(this.#ns.timer);
      this.#ns.timer = undefined;
      this.#ns.timerMs = NEVER;
    }
  }
}
