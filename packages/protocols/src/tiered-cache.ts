import type { Cache, CacheEntry, CacheStats, SetOptions } from "./cache.js";
import { BackendError, invalidArgument } from "./errors.js";
import { Lifecycle } from "./lifecycle.js";
import { assertInteger, assertKey, assertKeys, assertTtl, describeValue } from "./validation.js";

const BACKEND = "tiered";

/** Options of {@link tieredCache}. */
export interface TieredCacheOptions {
  /**
   * When true, a tier that fails (connection lost, timeout, …) is reported through
   * `onError` and treated as a miss (reads) or skipped (writes) instead of failing the
   * call. `INVALID_ARGUMENT` is always raised: it is the caller's bug, not an outage.
   */
  failOpen?: boolean;
  /** Called with every error `failOpen` swallowed and the index of the failing tier. */
  onError?: (error: unknown, tierIndex: number) => void;
  /** Name of the combined cache. Default: the tier names joined by `+`. */
  name?: string;
  /**
   * TTL of a backfilled copy as a fraction (0 < ratio ≤ 1) of the TTL the lower tier has
   * left: `0.5` keeps a copy for half of what its source has left, so the upper tiers
   * re-read the source (and see its changes) sooner. Default 1: the copy expires with its
   * source. A source without expiry gives a copy without TTL (the upper tier's default).
   *
   * @example
   * ```ts
   * tieredCache([memory.cache("users"), redis.cache("users")], { upperTtlRatio: 0.5 });
   * ```
   */
  upperTtlRatio?: number;
}

/**
 * Stacks caches, fastest first (`[memory, redis]`). The lowest tier is the source of
 * truth.
 *
 * - `get`/`getMany`/`has`/`ttl` fall through the tiers; a hit in a lower tier is copied
 *   into every tier above it with the TTL the lower tier has left (never longer), so a
 *   backfilled copy never outlives its source (`upperTtlRatio` shortens it further). `0`, `""`, `false` and `null` are hits.
 * - `set`/`setMany`/`delete`/`deleteMany`/`clear` go to every tier; they return the
 *   lowest tier's answer.
 * - `add` and `increment` run on the lowest tier, which alone can make them atomic. A
 *   successful `add` is copied upwards; `increment` evicts the key from the upper tiers
 *   (rather than copying the new number, which two racing increments could leave stale).
 * - `keys` lists the lowest tier; `stats` gives this wrapper's hits and misses, the
 *   lowest tier's `entries` and the evictions of all tiers.
 * - `close` stops this wrapper (later calls reject with `CLOSED`); it does not close the
 *   tiers, which belong to their backends.
 *
 * A failing tier raises, or with `failOpen` is reported to `onError` and treated as a miss
 * (`add`/`increment`/`keys` then fall back to the next tier up).
 *
 * @example
 * ```ts
 * const cache = tieredCache([memory.cache("users"), redis.cache("users")], {
 *   failOpen: true,
 *   onError: (err, tier) => log.warn({ err, tier }, "cache tier failed"),
 * });
 * ```
 */
export function tieredCache<V>(tiers: readonly Cache<V>[], options: TieredCacheOptions = {}): Cache<V> {
  return new TieredCache(tiers, options);
}

class TieredCache<V> implements Cache<V> {
  readonly name: string;
  readonly #tiers: readonly Cache<V>[];
  readonly #failOpen: boolean;
  readonly #onError: ((error: unknown, tierIndex: number) => void) | undefined;
  readonly #life = new Lifecycle(BACKEND);
  readonly #ratio: number;
  #hits = 0;
  #misses = 0;

  constructor(tiers: readonly Cache<V>[], options: TieredCacheOptions) {
    if (!Array.isArray(tiers) || tiers.length === 0) {
      throw invalidArgument(BACKEND, "tieredCache needs a non-empty array of caches, fastest first");
    }
    for (const tier of tiers) {
      if (tier === null || typeof tier !== "object" || typeof tier.get !== "function") {
        throw invalidArgument(BACKEND, "every tier must be a Cache");
      }
    }
    if (options.onError !== undefined && typeof options.onError !== "function") {
      throw invalidArgument(BACKEND, "onError must be a function");
    }
    const ratio = options.upperTtlRatio;
    if (ratio !== undefined && (typeof ratio !== "number" || !(ratio > 0 && ratio <= 1))) {
      throw invalidArgument(BACKEND, `upperTtlRatio must be a number in (0, 1], got ${describeValue(ratio)}`);
    }
    this.#ratio = ratio ?? 1;
    this.#tiers = Object.freeze([...tiers]);
    this.#failOpen = options.failOpen === true;
    this.#onError = options.onError;
    this.name = options.name ?? tiers.map((tier) => tier.name).join("+");
  }

  async get(key: string): Promise<V | undefined> {
    assertKey(BACKEND, key);
    return this.#life.run(async () => {
      for (let i = 0; i < this.#tiers.length; i++) {
        const value = await this.#try(i, (tier) => tier.get(key), undefined);
        if (value === undefined) continue;
        this.#hits++;
        if (i > 0) await this.#backfill(i, key, value);
        return value;
      }
      this.#misses++;
      return undefined;
    });
  }

  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    assertKeys(BACKEND, keys);
    return this.#life.run(async () => {
      const out: (V | undefined)[] = new Array(keys.length).fill(undefined);
      let missing = keys.map((_, index) => index);
      for (let i = 0; i < this.#tiers.length && missing.length > 0; i++) {
        const wanted = missing.map((index) => keys[index] as string);
        const values = await this.#try(i, (tier) => tier.getMany(wanted), undefined);
        if (values === undefined) continue;
        const stillMissing: number[] = [];
        const found = new Map<string, V>();
        missing.forEach((index, j) => {
          const value = values[j];
          if (value === undefined) stillMissing.push(index);
          else {
            out[index] = value;
            found.set(keys[index] as string, value);
          }
        });
        if (i > 0) await Promise.all([...found].map(([key, value]) => this.#backfill(i, key, value)));
        missing = stillMissing;
      }
      this.#misses += missing.length;
      this.#hits += keys.length - missing.length;
      return out;
    });
  }

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    assertKey(BACKEND, key);
    assertTtl(BACKEND, options?.ttlMs);
    return this.#life.run(() => this.#all((tier) => tier.set(key, value, options)).then(() => undefined));
  }

  async setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    if (!Array.isArray(entries)) throw invalidArgument(BACKEND, "setMany needs an array of { key, value, ttlMs? }");
    for (const entry of entries) {
      assertKey(BACKEND, entry?.key);
      assertTtl(BACKEND, entry.ttlMs);
    }
    return this.#life.run(() => this.#all((tier) => tier.setMany(entries)).then(() => undefined));
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    assertKey(BACKEND, key);
    assertTtl(BACKEND, options?.ttlMs);
    return this.#life.run(async () => {
      const [added, authority] = await this.#authoritative((tier) => tier.add(key, value, options));
      // Copy with the lower tier's remaining TTL, not the caller's options: without a ttlMs
      // the lower tier applies its own default, which the upper copy must not outlive.
      if (added && authority > 0) await this.#backfill(authority, key, value);
      return added;
    });
  }

  async increment(key: string, by = 1): Promise<number> {
    assertKey(BACKEND, key);
    assertInteger(BACKEND, by, "by");
    return this.#life.run(async () => {
      const [result, authority] = await this.#authoritative((tier) => tier.increment(key, by));
      await this.#upper(authority, (tier) => tier.delete(key));
      return result;
    });
  }

  async delete(key: string): Promise<boolean> {
    assertKey(BACKEND, key);
    return this.#life.run(async () => (await this.#all((tier) => tier.delete(key))) ?? false);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    assertKeys(BACKEND, keys);
    return this.#life.run(async () => (await this.#all((tier) => tier.deleteMany(keys))) ?? 0);
  }

  async has(key: string): Promise<boolean> {
    assertKey(BACKEND, key);
    return this.#life.run(async () => {
      for (let i = 0; i < this.#tiers.length; i++) {
        if (await this.#try(i, (tier) => tier.has(key), false)) return true;
      }
      return false;
    });
  }

  async ttl(key: string): Promise<number | null | undefined> {
    assertKey(BACKEND, key);
    return this.#life.run(async () => {
      for (let i = 0; i < this.#tiers.length; i++) {
        const left = await this.#try(i, (tier) => tier.ttl(key), undefined);
        if (left !== undefined) return left;
      }
      return undefined;
    });
  }

  async *keys(options?: { match?: string }): AsyncIterable<string> {
    this.#life.assertOpen();
    for (let i = this.#tiers.length - 1; i >= 0; i--) {
      let yielded = false;
      try {
        for await (const key of (this.#tiers[i] as Cache<V>).keys(options)) {
          yielded = true;
          yield key;
        }
        return;
      } catch (err) {
        // Once keys were listed, switching tiers would list some twice: raise instead.
        if (i === 0 || yielded || !this.#swallows(err)) throw err;
        this.#onError?.(err, i);
      }
    }
  }

  async clear(): Promise<number> {
    return this.#life.run(async () => (await this.#all((tier) => tier.clear())) ?? 0);
  }

  async stats(): Promise<CacheStats> {
    return this.#life.run(async () => {
      const all = await Promise.all(this.#tiers.map((_, i) => this.#try(i, (tier) => tier.stats(), undefined)));
      const lowest = all[all.length - 1];
      let evictions = 0;
      for (const stats of all) evictions += stats?.evictions ?? 0;
      return { entries: lowest?.entries ?? 0, hits: this.#hits, misses: this.#misses, evictions };
    });
  }

  close(): Promise<void> {
    return this.#life.close();
  }

  #swallows(err: unknown): boolean {
    return this.#failOpen && !BackendError.is(err, "INVALID_ARGUMENT");
  }

  /** Runs `op` on tier `i`; with failOpen a failure is reported and `fallback` returned. */
  async #try<T, F>(i: number, op: (tier: Cache<V>) => Promise<T>, fallback: F): Promise<T | F> {
    try {
      return await op(this.#tiers[i] as Cache<V>);
    } catch (err) {
      if (!this.#swallows(err)) throw err;
      this.#onError?.(err, i);
      return fallback;
    }
  }

  /** Runs `op` on every tier at once; resolves with the lowest tier's answer. */
  async #all<T>(op: (tier: Cache<V>) => Promise<T>): Promise<T | undefined> {
    const settled = await Promise.allSettled(this.#tiers.map((tier) => op(tier)));
    let answer: T | undefined;
    for (let i = 0; i < settled.length; i++) {
      const result = settled[i] as PromiseSettledResult<T>;
      if (result.status === "fulfilled") answer = result.value;
      else if (this.#swallows(result.reason)) this.#onError?.(result.reason, i);
      else throw result.reason;
    }
    const last = settled[settled.length - 1];
    return last?.status === "fulfilled" ? last.value : answer;
  }

  /** Runs `op` on the lowest tier, falling back upwards under failOpen. */
  async #authoritative<T>(op: (tier: Cache<V>) => Promise<T>): Promise<[T, number]> {
    for (let i = this.#tiers.length - 1; ; i--) {
      try {
        return [await op(this.#tiers[i] as Cache<V>), i];
      } catch (err) {
        if (i === 0 || !this.#swallows(err)) throw err;
        this.#onError?.(err, i);
      }
    }
  }

  /** Runs `op` on every tier above `below`. */
  async #upper(below: number, op: (tier: Cache<V>) => Promise<unknown>): Promise<void> {
    await Promise.all(this.#tiers.slice(0, below).map((_, i) => this.#try(i, op, undefined)));
  }

  /** Copies a value found in tier `from` into the tiers above it, never outliving it. */
  async #backfill(from: number, key: string, value: V): Promise<void> {
    const left = await this.#try(from, (tier) => tier.ttl(key), undefined);
    if (left === undefined || (left !== null && left <= 0)) return; // expired meanwhile
    // Rounded down (never outliving the source) but at least 1 ms: a TTL must be positive.
    const options =
      left === null ? undefined : { ttlMs: this.#ratio === 1 ? left : Math.max(1, Math.floor(left * this.#ratio)) };
    await this.#upper(from, (tier) => tier.set(key, value, options));
  }
}
