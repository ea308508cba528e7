import type { CacheDriver, CacheRow, CacheSettings, CacheStore, CacheValues } from "@core/protocols/kit";
import { type CacheState, stateOf } from "./cache-state.js";
import type { MemoryShared } from "./shared.js";

const NEVER = Number.POSITIVE_INFINITY;

/**
 * The memory backend's cache driver: namespaces are Maps of encoded text in this process,
 * shared by every handle opened on the same name (data and statistics). Expired entries
 * are dropped when read and by a sweep every `sweepIntervalMs`, which only runs while
 * entries with a TTL exist; `stats().entries` may include expired entries it has not
 * reached yet. Native LRU (`maxEntries`).
 *
 * @example
 * ```ts
 * const cache = createCache<number>(memoryCacheDriver(shared), "hits", { defaultTtlMs: 60_000 });
 * await cache.increment("home");
 * ```
 */
export function memoryCacheDriver(shared: MemoryShared): CacheDriver {
  return {
    backend: "memory",
    lifecycle: shared.lifecycle,
    maxEntries: true,
    sweepIntervalMs: shared.sweepIntervalMs,
    open: (name, settings) => new MemoryCacheStore(shared, stateOf(shared, name), settings),
  };
}

// Every operation is synchronous: nothing is ever in flight for close() to wait for.
class MemoryCacheStore implements CacheStore {
  readonly counters: CacheState;
  readonly #shared: MemoryShared;
  readonly #state: CacheState;
  readonly #values: CacheValues;
  readonly #maxEntries: number;
  readonly #sweepMs: number;

  constructor(shared: MemoryShared, state: CacheState, settings: CacheSettings) {
    this.#shared = shared;
    this.#state = this.counters = state;
    this.#values = settings.values;
    this.#maxEntries = settings.maxEntries ?? NEVER;
    this.#sweepMs = settings.sweepIntervalMs;
    // Stryker disable next-line ConditionalExpression: recency only reorders keys(), whose order the contract leaves open
    if (settings.maxEntries !== undefined) state.lru = true;
    // Stryker disable next-line UpdateOperator: a negative count only leaves an idle, unref'd sweep timer running after the last close
    state.handles++;
  }

  #store(key: string, text: string, expiresAt: number): void {
    this.#state.write(key, text, expiresAt);
    if (expiresAt !== NEVER) this.#state.scheduleSweep(this.#shared, this.#sweepMs);
    // Stryker disable next-line ConditionalExpression: evict(Infinity) returns at once
    if (this.#maxEntries !== NEVER) this.#state.evict(this.#maxEntries);
  }

  get(key: string): string | undefined {
    const slot = this.#state.live(key);
    if (slot === undefined) return undefined;
    this.#state.touch(key, slot);
    return slot.text;
  }

  getMany(keys: readonly string[]): (string | undefined)[] {
    // Stryker disable next-line ArrayDeclaration: every index is assigned below
    const out = new Array<string | undefined>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = this.get(keys[i] as string);
    return out;
  }

  set(key: string, text: string, ttlMs: number | undefined): void {
    this.#store(key, text, ttlMs === undefined ? NEVER : Date.now() + ttlMs);
  }

  setMany(rows: readonly CacheRow[]): void {
    for (const [key, text, ttlMs] of rows) this.set(key, text, ttlMs);
  }

  add(key: string, text: string, ttlMs: number | undefined): boolean {
    if (this.#state.live(key) !== undefined) return false;
    this.set(key, text, ttlMs);
    return true;
  }

  increment(key: string, by: number, ttlMs: number | undefined): number {
    const slot = this.#state.live(key);
    const next = this.#values.increment(key, slot?.text, by);
    const text = this.#values.encode(next);
    if (slot === undefined) this.set(key, text, ttlMs);
    else this.#store(key, text, slot.expiresAt); // an existing entry keeps its TTL
    return next;
  }

  delete(key: string): boolean {
    return this.#state.live(key) !== undefined && this.#state.entries.delete(key);
  }

  deleteMany(keys: readonly string[]): number {
    let count = 0;
    for (const key of keys) if (this.delete(key)) count++;
    return count;
  }

  has(key: string): boolean {
    return this.#state.live(key) !== undefined;
  }

  ttl(key: string): number | null | undefined {
    const slot = this.#state.live(key);
    if (slot === undefined) return undefined;
    return slot.expiresAt === NEVER ? null : slot.expiresAt - Date.now();
  }

  *keys(prefix: string): Iterable<string> {
    // A snapshot: reads re-insert keys (LRU), which would make a live iteration repeat them.
    const snapshot = [...this.#state.entries.keys()];
    for (const key of snapshot) if (key.startsWith(prefix) && this.#state.live(key) !== undefined) yield key;
  }

  clear(): number {
    const now = Date.now();
    let count = 0;
    for (const slot of this.#state.entries.values()) if (slot.expiresAt > now) count++;
    this.#state.entries.clear();
    this.#state.stopSweep();
    return count;
  }

  /** `entries` as stored; `live` and `expired` (past TTL, not yet swept) split them. */
  stats(): { entries: number; live: number; expired: number } {
    const now = Date.now();
    let live = 0;
    for (const slot of this.#state.entries.values()) if (slot.expiresAt > now) live++;
    const entries = this.#state.entries.size;
    return { entries, live, expired: entries - live };
  }

  close(): void {
    // The sweep belongs to the namespace: it stops with the last open handle.
    if (--this.#state.handles === 0) this.#state.stopSweep();
  }
}
