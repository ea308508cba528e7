import type { FailOpenOperation } from "../../cache.js";
import type { Codec } from "../../codec.js";
import type { BackendError } from "../../errors.js";
import type { MaybePromise } from "../records/record-driver.js";
import type { CacheValues } from "./cache-values.js";

/**
 * Counters of one cache namespace, shared by its handles: the layer counts `hits` and
 * `misses`, the store counts `evictions` (only it knows what it evicted).
 *
 * @example
 * ```ts
 * const counters: CacheCounters = { hits: 0, misses: 0, evictions: 0 };
 * ```
 */
export interface CacheCounters {
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * One entry of a batch write as a store receives it: key, encoded value and TTL in ms
 * (the entry's own or the cache's `defaultTtlMs`; `undefined` = no expiry).
 *
 * @example
 * ```ts
 * const row: CacheRow = ["k", '{"a":1}', 60_000];
 * ```
 */
export type CacheRow = readonly [key: string, text: string, ttlMs: number | undefined];

/**
 * Validated options of one cache handle, defaults applied, as the layer hands them to
 * {@link CacheDriver.open}.
 *
 * @example
 * ```ts
 * const expiresAt = settings.defaultTtlMs === undefined ? Infinity : Date.now() + settings.defaultTtlMs;
 * ```
 */
export interface CacheSettings {
  /** TTL of writes that give none; `undefined`: no expiry. */
  readonly defaultTtlMs: number | undefined;
  /** LRU limit; `undefined`: unlimited (always `undefined` when the driver has no native LRU). */
  readonly maxEntries: number | undefined;
  /** Period of the store's expiry sweep (the driver's default when not given). */
  readonly sweepIntervalMs: number;
  /** The cache's codec (the layer encodes and decodes; a store may inspect it). */
  readonly codec: Codec;
  /** Codec calls with the layer's error mapping, for stores that decode themselves (increment). */
  readonly values: CacheValues;
  /** `"miss"`: the layer answers store outages as misses / no-ops (a store never looks at it). */
  readonly onError: "throw" | "miss";
  /** Told of each outage `"miss"` absorbed; `undefined` without one. */
  readonly onCacheError: ((error: BackendError, operation: FailOpenOperation) => void) | undefined;
}

/**
 * The storage of one cache namespace, opened per handle by {@link CacheDriver.open}.
 *
 * Every argument is already validated: keys are valid keys, values are the codec's text,
 * TTLs are positive finite ms (the default applied), batches are non-empty and
 * `deleteMany` keys distinct. Methods may answer synchronously or with a promise.
 *
 * Error contract: throw (or reject with) a `BackendError` for every failure the store
 * knows (its connection, a refused statement, a stored value `increment` cannot add to);
 * anything else is wrapped by the layer (`CONNECTION`, message redacted, original as
 * `cause`). Closed checks, argument checks, codec calls, hit/miss counting and glob
 * matching belong to the layer, not the store.
 *
 * @example
 * ```ts
 * const store: CacheStore = {
 *   counters: { hits: 0, misses: 0, evictions: 0 },
 *   get: (key) => map.get(key),
 *   // …
 * } as CacheStore;
 * ```
 */
export interface CacheStore {
  /** The namespace's counters (shared by every handle on it). */
  readonly counters: CacheCounters;
  /** The stored text, or `undefined` for a missing or expired entry. */
  get(key: string): MaybePromise<string | undefined>;
  /** Stored texts in the order of `keys` (which may repeat); one round trip. */
  getMany(keys: readonly string[]): MaybePromise<(string | undefined)[]>;
  /** Replaces value and TTL. What it answers is ignored (a driver may pass its client's reply on). */
  set(key: string, text: string, ttlMs: number | undefined): MaybePromise<unknown>;
  /** Writes every row atomically, one round trip; a repeated key keeps its last row. Answer ignored. */
  setMany(rows: readonly CacheRow[]): MaybePromise<unknown>;
  /** Writes only if absent or expired, atomically; true when written. */
  add(key: string, text: string, ttlMs: number | undefined): MaybePromise<boolean>;
  /**
   * Adds `by` atomically; a missing entry counts as 0 and gets `ttlMs`, an existing one
   * keeps its TTL. A stored value that is not a safe integer, or a sum outside the safe
   * range, is `INVALID_ARGUMENT` with nothing written ({@link CacheValues.increment} does both).
   */
  increment(key: string, by: number, ttlMs: number | undefined): MaybePromise<number>;
  /** True if a live entry was deleted. */
  delete(key: string): MaybePromise<boolean>;
  /** How many of the (distinct) keys had a live entry. */
  deleteMany(keys: readonly string[]): MaybePromise<number>;
  has(key: string): MaybePromise<boolean>;
  /** Ms left, `null` without expiry, `undefined` when missing. */
  ttl(key: string): MaybePromise<number | null | undefined>;
  /**
   * Every live key starting with `prefix` (the literal head of the glob; `""` for all),
   * each once, in pages that never block the server. It may yield more; the layer filters.
   */
  keys(prefix: string): AsyncIterable<string> | Iterable<string>;
  /** Removes every entry of the namespace; the number of live ones removed. */
  clear(): MaybePromise<number>;
  /** `entries` plus any numbers of the store's own (the layer adds the counters). */
  stats(): MaybePromise<{ entries: number; [extra: string]: number }>;
  /** Stops this handle's timers; the backend's close releases the rest. */
  close(): MaybePromise<void>;
}

/**
 * What a backend supplies for its caches: its name, whether it is open, what it does
 * natively, and how to open one namespace. Everything public about a cache is built from
 * it once, by {@link createCache}.
 *
 * @example
 * ```ts
 * const driver: CacheDriver = {
 *   backend: "acme",
 *   lifecycle,
 *   maxEntries: false,
 *   sweepIntervalMs: 1_000,
 *   open: (name, settings) => new AcmeCacheStore(name, settings),
 * };
 * ```
 */
export interface CacheDriver {
  /** Backend name: `[name]` starts every message, `error.backend` carries it. */
  readonly backend: string;
  /** The backend's lifecycle: once `closed`, every call is `CLOSED`. */
  readonly lifecycle: { readonly closed: boolean };
  /** True when the store evicts least recently used entries natively (`maxEntries`). */
  readonly maxEntries: boolean;
  /** Default sweep period (ms) when the options give none. */
  readonly sweepIntervalMs: number;
  /** Opens one handle on namespace `name` (a validated name) with validated settings. */
  open(name: string, settings: CacheSettings): CacheStore;
  /** Maps a failure that is not a `BackendError` yet; default: `CONNECTION`, redacted. */
  toError?(err: unknown): Error;
}
