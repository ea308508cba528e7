import type { Codec } from "./codec.js";
import type { BackendError } from "./errors.js";

/**
 * The cache calls `onError: "miss"` turns into a miss or a no-op when the store fails;
 * the second argument of `onCacheError`.
 *
 * @example
 * ```ts
 * const op: FailOpenOperation = "get";
 * ```
 */
export type FailOpenOperation =
  | "get"
  | "getMany"
  | "has"
  | "ttl"
  | "set"
  | "setMany"
  | "add"
  | "delete"
  | "deleteMany"
  | "clear";

/**
 * Options of `backend.cache(name, options)`.
 *
 * @example
 * ```ts
 * backend.cache("sessions", { defaultTtlMs: 60_000, maxEntries: 10_000 });
 * ```
 */
export interface CacheOptions {
  /** TTL for writes that give none. Absent: entries never expire. */
  defaultTtlMs?: number;
  /** Least-recently-used eviction above this many entries (`capabilities.maxEntries`). */
  maxEntries?: number;
  /** How often expired entries are reclaimed in the background (ms). */
  sweepIntervalMs?: number;
  /** Value codec; defaults to {@link defaultCodec}. */
  codec?: Codec;
  /**
   * What a call does when the store fails (`CONNECTION`, `TIMEOUT`, `SERIALIZATION`,
   * `LOCKED`: the server is down, slow or busy). `"throw"` (default): it rejects.
   * `"miss"`: a fail-open cache — reads answer as misses (`get` → `undefined`, `has` →
   * `false`, `ttl` → `undefined`), writes as no-ops (`set` resolves, `add`/`delete` →
   * `false`, `deleteMany`/`clear` → `0`), and `onCacheError` is told. Bad arguments,
   * `CLOSED`, `CORRUPTION`, and `increment`/`keys`/`stats` (which have no honest "miss"
   * answer) still reject.
   */
  onError?: "throw" | "miss";
  /**
   * With `onError: "miss"`: called with each failure it turned into a miss or no-op and
   * the call it happened in (log it, count it). Given without `"miss"` it is
   * `INVALID_ARGUMENT`. An exception it throws rejects the call.
   *
   * @example
   * ```ts
   * backend.cache("pages", { onError: "miss", onCacheError: (err, op) => log.warn({ err, op }) });
   * ```
   */
  onCacheError?: (error: BackendError, operation: FailOpenOperation) => void;
}

/** Per-write options. */
export interface SetOptions {
  /** Positive finite milliseconds; absent → the store's `defaultTtlMs`. */
  ttlMs?: number;
}

/** One entry of `setMany`. */
export interface CacheEntry<V> {
  key: string;
  value: V;
  ttlMs?: number;
}

/** Counters of a cache namespace. Backends may add their own numbers. */
export interface CacheStats {
  entries: number;
  hits: number;
  misses: number;
  evictions: number;
  [extra: string]: number;
}

/**
 * A key–value cache with TTLs, one namespace of a backend.
 *
 * @example
 * ```ts
 * const cache = backend.cache<User>("users", { defaultTtlMs: 60_000 });
 * await cache.set("u:1", { name: "Ada" });
 * const user = await cache.get("u:1");
 * ```
 */
export interface Cache<V = unknown> {
  /** Namespace name. */
  readonly name: string;
  /** The value, or `undefined` for a miss. `0`, `""`, `false` and `null` are values. */
  get(key: string): Promise<V | undefined>;
  /** Values in the order of `keys`; one round trip on network backends. */
  getMany(keys: readonly string[]): Promise<(V | undefined)[]>;
  /** Replaces value and TTL. */
  set(key: string, value: V, options?: SetOptions): Promise<void>;
  /** Writes every entry; one round trip (one transaction) on network and SQL backends. */
  setMany(entries: readonly CacheEntry<V>[]): Promise<void>;
  /** Sets only if absent (or expired); atomic across clients. True when written. */
  add(key: string, value: V, options?: SetOptions): Promise<boolean>;
  /**
   * Atomically adds `by` (default 1, a safe integer) to an integer value; a missing or
   * expired key counts as 0 and is created with the store's `defaultTtlMs` (if any); an
   * existing entry keeps its TTL. A non-integer stored value → INVALID_ARGUMENT, unchanged.
   */
  increment(key: string, by?: number): Promise<number>;
  /** True if the key existed. Idempotent. */
  delete(key: string): Promise<boolean>;
  /** Number of keys that existed. */
  deleteMany(keys: readonly string[]): Promise<number>;
  has(key: string): Promise<boolean>;
  /** Milliseconds left; `null` = no expiry; `undefined` = missing. */
  ttl(key: string): Promise<number | null | undefined>;
  /** Keys of this namespace, optionally matching a glob (`*`, `?`). Never blocks the server. */
  keys(options?: { match?: string }): AsyncIterable<string>;
  /** Removes every entry of this namespace only; returns how many. */
  clear(): Promise<number>;
  stats(): Promise<CacheStats>;
  /** Stops this store's timers. The backend's `close()` closes every store. */
  close(): Promise<void>;
}
