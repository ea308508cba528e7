import type { Cache, CacheEntry, CacheStats, FailOpenOperation, SetOptions } from "../../cache.js";
import { BackendError, type ErrorCode } from "../../errors.js";

/**
 * The codes of a store that is down, slow or busy: what a fail-open cache answers as a
 * miss. Everything else (bad arguments, `CLOSED`, `CORRUPTION`, `NOT_SUPPORTED`, …) is a
 * bug or a state the caller must see, so it still rejects.
 */
const OUTAGE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["CONNECTION", "TIMEOUT", "SERIALIZATION", "LOCKED"]);

type Report = (error: BackendError, operation: FailOpenOperation) => void;

/**
 * True when `err` is a store outage that `onError: "miss"` absorbs.
 *
 * @example
 * ```ts
 * isOutage(new BackendError("TIMEOUT", "slow", { backend: "redis" })); // true
 * ```
 */
export function isOutage(err: unknown): err is BackendError {
  return err instanceof BackendError && OUTAGE.has(err.code);
}

/**
 * `onError: "miss"`: wraps a cache so that store outages answer as misses (reads) and
 * no-ops (writes), each reported to `report`. Only caches asking for it are wrapped, so
 * the default cache pays nothing for the option; the wrapped one pays one rejection
 * handler per call. `increment`, `keys` and `stats` pass through: a made-up counter,
 * an empty listing or zero entries would be answers, not misses.
 *
 * @example
 * ```ts
 * const cache = settings.onError === "miss" ? new FailOpenCache(layered, settings.onCacheError) : layered;
 * ```
 */
export class FailOpenCache<V> implements Cache<V> {
  readonly name: string;
  readonly #inner: Cache<V>;
  readonly #report: Report | undefined;
  // One bound fallback per answer shape, made once per cache rather than once per call.
  readonly #get = this.#fallback("get", undefined);
  readonly #getMany = this.#fallback("getMany", undefined);
  readonly #has = this.#fallback("has", false);
  readonly #ttl = this.#fallback("ttl", undefined);
  readonly #set = this.#fallback("set", undefined);
  readonly #setMany = this.#fallback("setMany", undefined);
  readonly #add = this.#fallback("add", false);
  readonly #delete = this.#fallback("delete", false);
  readonly #deleteMany = this.#fallback("deleteMany", 0);
  readonly #clear = this.#fallback("clear", 0);

  constructor(inner: Cache<V>, report: Report | undefined) {
    this.name = inner.name;
    this.#inner = inner;
    this.#report = report;
  }

  #fallback<F>(operation: FailOpenOperation, answer: F): (err: unknown) => F {
    return (err) => {
      if (!isOutage(err)) throw err;
      this.#report?.(err, operation);
      return answer;
    };
  }

  get(key: string): Promise<V | undefined> {
    return this.#inner.get(key).catch(this.#get);
  }

  getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    return this.#inner.getMany(keys).catch((err: unknown) => {
      this.#getMany(err);
      return new Array<V | undefined>(keys.length).fill(undefined);
    });
  }

  has(key: string): Promise<boolean> {
    return this.#inner.has(key).catch(this.#has);
  }

  ttl(key: string): Promise<number | null | undefined> {
    return this.#inner.ttl(key).catch(this.#ttl);
  }

  set(key: string, value: V, options?: SetOptions): Promise<void> {
    return this.#inner.set(key, value, options).catch(this.#set);
  }

  setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    return this.#inner.setMany(entries).catch(this.#setMany);
  }

  add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    return this.#inner.add(key, value, options).catch(this.#add);
  }

  increment(key: string, by?: number): Promise<number> {
    return this.#inner.increment(key, by);
  }

  delete(key: string): Promise<boolean> {
    return this.#inner.delete(key).catch(this.#delete);
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    return this.#inner.deleteMany(keys).catch(this.#deleteMany);
  }

  keys(options?: { match?: string }): AsyncIterable<string> {
    return this.#inner.keys(options);
  }

  clear(): Promise<number> {
    return this.#inner.clear().catch(this.#clear);
  }

  stats(): Promise<CacheStats> {
    return this.#inner.stats();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
