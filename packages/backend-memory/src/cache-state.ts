import type { CacheCounters } from "@core/protocols/kit";
import type { MemoryShared } from "./shared.js";

/** One stored entry: the codec's text and an absolute expiry (`Infinity` = none). */
export interface Slot {
  text: string;
  expiresAt: number;
}

/**
 * The data of one cache namespace, shared by every handle opened on that name. Map order
 * is recency order when any handle uses `maxEntries` (reads re-insert), else write order.
 */
export class CacheState implements CacheCounters {
  readonly entries = new Map<string, Slot>();
  hits = 0;
  misses = 0;
  evictions = 0;
  /** Handles opened on this namespace and not closed yet. */
  handles = 0;
  /** True once a handle asked for `maxEntries`: reads then refresh recency. */
  // Stryker disable next-line BooleanLiteral: recency only reorders keys(), whose order the contract leaves open
  lru = false;
  #timer: NodeJS.Timeout | undefined;
  #timerMs = Number.POSITIVE_INFINITY;
  #unregister: (() => void) | undefined;

  /** The live slot of `key`, dropping it first if it has expired. */
  live(key: string): Slot | undefined {
    const slot = this.entries.get(key);
    if (slot === undefined || slot.expiresAt === Number.POSITIVE_INFINITY) return slot;
    if (slot.expiresAt > Date.now()) return slot;
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

  /** Writes (or replaces) `key`; new keys go to the recent end. */
  write(key: string, text: string, expiresAt: number): void {
    const slot = this.entries.get(key);
    if (slot === undefined) {
      this.entries.set(key, { text, expiresAt });
      return;
    }
    slot.text = text;
    slot.expiresAt = expiresAt;
    this.touch(key, slot);
  }

  /** Evicts least recently used entries above `maxEntries` (expired ones are not evictions). */
  evict(maxEntries: number): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: early exit only: the loop below stops at the same size
    if (this.entries.size <= maxEntries) return;
    const now = Date.now();
    for (const [key, slot] of this.entries) {
      if (this.entries.size <= maxEntries) break;
      this.entries.delete(key);
      // Stryker disable next-line EqualityOperator: an entry expiring in this very millisecond; not observable
      if (slot.expiresAt > now) this.evictions++;
    }
  }

  /** Drops every expired entry; returns whether any entry still has a TTL. */
  sweep(): boolean {
    const now = Date.now();
    // Stryker disable next-line BooleanLiteral: only keeps an idle, unref'd sweep timer running
    let expiring = false;
    for (const [key, slot] of this.entries) {
      // Stryker disable next-line EqualityOperator: an entry expiring in this very millisecond; not observable
      if (slot.expiresAt <= now) this.entries.delete(key);
      else if (slot.expiresAt !== Number.POSITIVE_INFINITY) expiring = true;
    }
    return expiring;
  }

  /**
   * Makes sure a sweep runs every `intervalMs` (or faster, if another handle asked for
   * that) while entries with a TTL exist. The timer is unref'd, stops itself when nothing
   * can expire and is cleared when the backend closes.
   */
  scheduleSweep(shared: MemoryShared, intervalMs: number): void {
    if (this.#timer !== undefined && this.#timerMs <= intervalMs) return;
    this.stopSweep();
    this.#timerMs = intervalMs;
    this.#timer = setInterval(() => {
      if (!this.sweep()) this.stopSweep();
    }, intervalMs);
    this.#timer.unref();
    // Stryker disable next-line ArrowFunction: an unref'd timer sweeping a closed backend's memory has no observable effect
    this.#unregister = shared.lifecycle.onClose(() => this.stopSweep());
  }

  stopSweep(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#timerMs = Number.POSITIVE_INFINITY;
    const unregister = this.#unregister;
    this.#unregister = undefined;
    unregister?.();
  }
}

/**
 * The namespace state of `name`, created on first use.
 *
 * @example
 * ```ts
 * const state = stateOf(shared, "sessions");
 * ```
 */
export function stateOf(shared: MemoryShared, name: string): CacheState {
  let state = shared.caches.get(name) as CacheState | undefined;
  if (state === undefined) {
    state = new CacheState();
    shared.caches.set(name, state);
  }
  return state;
}
