import type { CacheCounters, CacheDriver, CacheRow, CacheSettings, CacheStore, Lifecycle } from "@core/protocols/kit";
import type { MemoryShared } from "./backend.js";

const NEVER = Number.POSITIVE_INFINITY;

/** One stored entry: the codec's text and an absolute expiry (`NEVER` = none). */
interface Slot {
  text: string;
  expiresAt: number;
}

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
    open: (name, settings) => {
      let state = shared.caches.get(name) as CacheState | undefined;
      if (state === undefined) shared.caches.set(name, (state = new CacheState(shared.lifecycle)));
      return new MemoryCacheStore(state, settings);
    },
  };
}

/**
 * The data of one cache namespace, shared by every handle opened on that name. Map order
 * is recency order when any handle uses `maxEntries` (reads re-insert), else write order.
 */
class CacheState implements CacheCounters {
  readonly entries = new Map<string, Slot>();
  hits = 0;
  misses = 0;
  evictions = 0;
  /** Handles opened on this namespace and not closed yet. */
  handles = 0;
  /** True once a handle asked for `maxEntries`: reads then refresh recency. */
  // Stryker disable next-line BooleanLiteral: recency only reorders keys(), whose order the contract leaves open
  lru = false;
  readonly #lifecycle: Lifecycle;
  #timer: NodeJS.Timeout | undefined;
  #timerMs = NEVER;
  #unregister: (() => void) | undefined;

  constructor(lifecycle: Lifecycle) {
    this.#lifecycle = lifecycle;
  }

  /** The live slot of `key`, dropping it first if it has expired. */
  live(key: string): Slot | undefined {
    const slot = this.entries.get(key);
    if (slot === undefined || slot.expiresAt === NEVER || slot.expiresAt > Date.now()) return slot;
    this.entries.delete(key);
    return undefined;
  }

  /** Moves `key` to the most recent end (only when LRU order matters). */
  touch(key: string, slot: Slot): void {
    // Stryker disable next-line ConditionalExpression: recency only reorders keys(), whose order the contract leaves open
    if (!this.lru) return;
    this.entries.delete(key);
    this.entries.set(key, slot);
  }

  /** Live entries at this moment (expired ones not swept yet are left out). */
  countLive(): number {
    const now = Date.now();
    let live = 0;
    for (const slot of this.entries.values()) if (slot.expiresAt > now) live++;
    return live;
  }

  /**
   * Makes sure a sweep runs every `intervalMs` (or faster, if another handle asked for
   * that) while entries with a TTL exist. The timer is unref'd, stops itself when nothing
   * can expire and is cleared when the backend closes.
   */
  scheduleSweep(intervalMs: number): void {
    if (this.#timer !== undefined && this.#timerMs <= intervalMs) return;
    this.stopSweep();
    this.#timerMs = intervalMs;
    this.#timer = setInterval(() => {
      const now = Date.now();
      // Stryker disable next-line BooleanLiteral: only keeps an idle, unref'd sweep timer running
      let expiring = false;
      for (const [key, slot] of this.entries) {
        // Stryker disable next-line EqualityOperator: an entry expiring in this very millisecond; not observable
        if (slot.expiresAt <= now) this.entries.delete(key);
        else if (slot.expiresAt !== NEVER) expiring = true;
      }
      if (!expiring) this.stopSweep();
    }, intervalMs);
    this.#timer.unref();
    // Stryker disable next-line ArrowFunction: an unref'd timer sweeping a closed backend's memory has no observable effect
    this.#unregister = this.#lifecycle.onClose(() => this.stopSweep());
  }

  stopSweep(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#timerMs = NEVER;
    const unregister = this.#unregister;
    this.#unregister = undefined;
    unregister?.();
  }
}

// Every operation is synchronous: nothing is ever in flight for close() to wait for.
class MemoryCacheStore implements CacheStore {
  readonly counters: CacheState;
  readonly #state: CacheState;
  readonly #settings: CacheSettings;
  readonly #maxEntries: number;

  constructor(state: CacheState, settings: CacheSettings) {
    this.#state = this.counters = state;
    this.#settings = settings;
    this.#maxEntries = settings.maxEntries ?? NEVER;
    // Stryker disable next-line ConditionalExpression: recency only reorders keys(), whose order the contract leaves open
    if (settings.maxEntries !== undefined) state.lru = true;
    // Stryker disable next-line UpdateOperator: a negative count only leaves an idle, unref'd sweep timer running after the last close
    state.handles++;
  }

  /** Writes (or replaces) `key` (new keys go to the recent end), then evicts above `maxEntries`. */
  #store(key: string, text: string, expiresAt: number): void {
    const state = this.#state;
    const slot = state.entries.get(key);
    if (slot === undefined) state.entries.set(key, { text, expiresAt });
    else {
      slot.text = text;
      slot.expiresAt = expiresAt;
      state.touch(key, slot);
    }
    if (expiresAt !== NEVER) state.scheduleSweep(this.#settings.sweepIntervalMs);
    // Evicts least recently used entries above the bound (expired ones are not evictions).
    if (state.entries.size <= this.#maxEntries) return;
    const now = Date.now();
    for (const [key, slot] of state.entries) {
      if (state.entries.size <= this.#maxEntries) break;
      state.entries.delete(key);
      // Stryker disable next-line EqualityOperator: an entry expiring in this very millisecond; not observable
      if (slot.expiresAt > now) state.evictions++;
    }
  }

  get(key: string): string | undefined {
    const slot = this.#state.live(key);
    if (slot === undefined) return undefined;
    this.#state.touch(key, slot);
    return slot.text;
  }

  getMany(keys: readonly string[]): (string | undefined)[] {
    return keys.map((key) => this.get(key));
  }

  set(key: string, text: string, ttlMs: number | undefined): void {
    this.#store(key, text, ttlMs === undefined ? NEVER : Date.now() + ttlMs);
  }

  setMany(rows: readonly CacheRow[]): void {
    for (const [key, text, ttlMs] of rows) this.set(key, text, ttlMs);
  }

  add(key: string, text: string, ttlMs: number | undefined): boolean {
    if (this.has(key)) return false;
    this.set(key, text, ttlMs);
    return true;
  }

  increment(key: string, by: number, ttlMs: number | undefined): number {
    const slot = this.#state.live(key);
    const values = this.#settings.values;
    const next = values.increment(key, slot?.text, by);
    if (slot === undefined) this.set(key, values.encode(next), ttlMs);
    else this.#store(key, values.encode(next), slot.expiresAt); // an existing entry keeps its TTL
    return next;
  }

  delete(key: string): boolean {
    return this.has(key) && this.#state.entries.delete(key);
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
    for (const key of [...this.#state.entries.keys()]) if (key.startsWith(prefix) && this.has(key)) yield key;
  }

  clear(): number {
    const count = this.#state.countLive();
    this.#state.entries.clear();
    this.#state.stopSweep();
    return count;
  }

  /** `entries` as stored; `live` and `expired` (past TTL, not yet swept) split them. */
  stats(): { entries: number; live: number; expired: number } {
    const live = this.#state.countLive();
    const entries = this.#state.entries.size;
    return { entries, live, expired: entries - live };
  }

  close(): void {
    // The sweep belongs to the namespace: it stops with the last open handle.
    if (--this.#state.handles === 0) this.#state.stopSweep();
  }
}
