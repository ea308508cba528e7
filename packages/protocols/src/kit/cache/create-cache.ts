import type { Cache, CacheEntry, CacheOptions, CacheStats, SetOptions } from "../../cache.js";
import { BackendError, closedError, invalidArgument } from "../../errors.js";
import { compileGlob } from "../../glob.js";
import { redactUrl } from "../../redact.js";
import {
  assertInteger,
  assertKey,
  assertKeys,
  assertName,
  assertPlainObject,
  assertTtl,
  describeValue,
} from "../../validation.js";
import type { MaybePromise } from "../records/record-driver.js";
import type { CacheCounters, CacheDriver, CacheRow, CacheStore } from "./cache-driver.js";
import { checkCacheSettings } from "./cache-settings.js";
import type { CacheValues } from "./cache-values.js";
import { FailOpenCache } from "./fail-open-cache.js";

const DONE: Promise<void> = Promise.resolve();
const nothing = (): void => undefined;

/**
 * Builds the public cache `name` of a backend from its {@link CacheDriver}: the one place
 * that validates names, options and arguments, answers `CLOSED` (before any argument
 * check, so a closed cache answers `CLOSED` to every call), encodes and decodes with the
 * codec (`INVALID_ARGUMENT` / `CORRUPTION`), counts hits and misses, matches globs,
 * maps errors and, with `onError: "miss"`, answers store outages as misses. The store sees validated arguments and encoded text only.
 *
 * @example
 * ```ts
 * cache<V>(name: string, options?: CacheOptions): Cache<V> {
 *   this.#lifecycle.assertOpen();
 *   return createCache<V>(memoryCacheDriver(this.#shared), name, options);
 * }
 * ```
 */
export function createCache<V = unknown>(driver: CacheDriver, name: string, options?: CacheOptions): Cache<V> {
  assertName(driver.backend, name, "cache name");
  const settings = checkCacheSettings(driver, options);
  const cache = new LayeredCache<V>(driver, name, settings.values, settings.defaultTtlMs, driver.open(name, settings));
  // Only a fail-open cache is wrapped: the default one keeps its direct path.
  return settings.onError === "miss" ? new FailOpenCache(cache, settings.onCacheError) : cache;
}

class LayeredCache<V> implements Cache<V> {
  readonly name: string;
  readonly #backend: string;
  readonly #life: { readonly closed: boolean };
  readonly #store: CacheStore;
  readonly #counters: CacheCounters;
  readonly #values: CacheValues;
  readonly #defaultTtlMs: number | undefined;
  readonly #toError: ((err: unknown) => Error) | undefined;
  #closed = false;
  // Bound once: the hot paths pass these to `then` instead of a new closure per call.
  readonly #afterGet = (text: string | undefined): V | undefined => this.#hitOrMiss(text);
  readonly #afterGetMany = (texts: (string | undefined)[]): (V | undefined)[] => this.#hitsOrMisses(texts);
  readonly #fail = (err: unknown): never => {
    throw this.#error(err);
  };

  constructor(
    driver: CacheDriver,
    name: string,
    values: CacheValues,
    defaultTtlMs: number | undefined,
    store: CacheStore,
  ) {
    this.name = name;
    this.#backend = driver.backend;
    this.#life = driver.lifecycle;
    this.#toError = driver.toError?.bind(driver);
    this.#store = store;
    this.#counters = store.counters;
    this.#values = values;
    this.#defaultTtlMs = defaultTtlMs;
  }

  get #isClosed(): boolean {
    return this.#closed || this.#life.closed;
  }

  #error(err: unknown): Error {
    if (err instanceof BackendError) return err;
    if (this.#toError !== undefined) return this.#toError(err);
    const message = redactUrl(err instanceof Error ? err.message : String(err));
    return new BackendError("CONNECTION", `cache: ${message}`, { backend: this.#backend, cause: err });
  }

  /** A store's answer as a promise whose failures are mapped. */
  #settle<T>(answer: MaybePromise<T>): Promise<T> {
    return answer instanceof Promise ? answer.then(undefined, this.#fail) : Promise.resolve(answer);
  }

  #hitOrMiss(text: string | undefined): V | undefined {
    if (text === undefined) {
      this.#counters.misses++;
      return undefined;
    }
    this.#counters.hits++;
    return this.#values.decode(text) as V;
  }

  #hitsOrMisses(texts: (string | undefined)[]): (V | undefined)[] {
    const out = new Array<V | undefined>(texts.length);
    for (let i = 0; i < texts.length; i++) out[i] = this.#hitOrMiss(texts[i]);
    return out;
  }

  #ttlOf(options: SetOptions | undefined): number | undefined {
    if (options === undefined) return this.#defaultTtlMs;
    assertPlainObject(this.#backend, options as unknown, "options");
    const ttlMs = options.ttlMs;
    if (ttlMs === undefined) return this.#defaultTtlMs;
    assertTtl(this.#backend, ttlMs);
    return ttlMs;
  }

  get(key: string): Promise<V | undefined> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKey(this.#backend, key);
      const text = this.#store.get(key);
      // A store answers a string or undefined, or a promise of one: `object` is the promise.
      if (typeof text === "object") return text.then(this.#afterGet, this.#fail);
      return Promise.resolve(this.#hitOrMiss(text));
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKeys(this.#backend, keys);
      if (keys.length === 0) return Promise.resolve([]);
      const texts = this.#store.getMany(keys);
      if (texts instanceof Promise) return texts.then(this.#afterGetMany, this.#fail);
      return Promise.resolve(this.#hitsOrMisses(texts));
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  set(key: string, value: V, options?: SetOptions): Promise<void> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKey(this.#backend, key);
      const ttlMs = this.#ttlOf(options);
      const done = this.#store.set(key, this.#values.encode(value), ttlMs);
      return done instanceof Promise ? done.then(nothing, this.#fail) : DONE;
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      if (!Array.isArray(entries)) {
        throw invalidArgument(
          this.#backend,
          `setMany needs an array of { key, value, ttlMs? }, got ${describeValue(entries)}`,
        );
      }
      // Everything is validated and encoded first: one bad entry means nothing is written.
      const rows = new Array<CacheRow>(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as CacheEntry<V>;
        if (entry === null || typeof entry !== "object") {
          throw invalidArgument(this.#backend, `setMany entry ${i} must be { key, value, ttlMs? }`);
        }
        assertKey(this.#backend, entry.key);
        assertTtl(this.#backend, entry.ttlMs);
        rows[i] = [entry.key, this.#values.encode(entry.value, i), entry.ttlMs ?? this.#defaultTtlMs];
      }
      if (rows.length === 0) return DONE;
      const done = this.#store.setMany(rows);
      return done instanceof Promise ? done.then(nothing, this.#fail) : DONE;
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKey(this.#backend, key);
      const ttlMs = this.#ttlOf(options);
      return this.#settle(this.#store.add(key, this.#values.encode(value), ttlMs));
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  increment(key: string, by = 1): Promise<number> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKey(this.#backend, key);
      assertInteger(this.#backend, by, "by");
      return this.#settle(this.#store.increment(key, by, this.#defaultTtlMs));
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  delete(key: string): Promise<boolean> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKey(this.#backend, key);
      return this.#settle(this.#store.delete(key));
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKeys(this.#backend, keys);
      if (keys.length === 0) return Promise.resolve(0);
      // Distinct keys: each existing key counts once however often it is listed.
      return this.#settle(this.#store.deleteMany(keys.length === 1 ? keys : [...new Set(keys)]));
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  has(key: string): Promise<boolean> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKey(this.#backend, key);
      return this.#settle(this.#store.has(key));
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  ttl(key: string): Promise<number | null | undefined> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      assertKey(this.#backend, key);
      return this.#settle(this.#store.ttl(key));
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  async *keys(options?: { match?: string }): AsyncIterable<string> {
    if (this.#isClosed) throw closedError(this.#backend);
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw invalidArgument(this.#backend, `keys options must be an object, got ${describeValue(options)}`);
    }
    const match = options?.match;
    if (match !== undefined && typeof match !== "string") {
      throw invalidArgument(this.#backend, `match must be a string glob, got ${describeValue(match)}`);
    }
    // The store narrows by the glob's literal head; the exact glob runs here.
    const wild = match === undefined ? 0 : match.search(/[*?]/);
    const prefix = match === undefined ? "" : wild < 0 ? match : match.slice(0, wild);
    const matches = match === undefined ? undefined : compileGlob(match);
    try {
      for await (const key of this.#store.keys(prefix)) {
        if (this.#isClosed) throw closedError(this.#backend);
        if (matches === undefined || matches(key)) yield key;
      }
    } catch (err) {
      throw this.#error(err);
    }
  }

  clear(): Promise<number> {
    if (this.#isClosed) return Promise.reject(closedError(this.#backend));
    try {
      return this.#settle(this.#store.clear());
    } catch (err) {
      return Promise.reject(this.#error(err));
    }
  }

  async stats(): Promise<CacheStats> {
    if (this.#isClosed) throw closedError(this.#backend);
    let own: { entries: number; [extra: string]: number };
    try {
      own = await this.#store.stats();
    } catch (err) {
      throw this.#error(err);
    }
    const { hits, misses, evictions } = this.#counters;
    return { ...own, hits, misses, evictions };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#store.close();
  }
}
