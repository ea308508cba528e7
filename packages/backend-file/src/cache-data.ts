import { fileError } from "./errors.js";
import type { JournalState } from "./journal-state.js";

/** A journal operation of a cache: set (expiry outside the value), delete, clear. */
export type CacheOp = { s: string; v: string; e: number | null } | { d: string } | { x: 1 };

/** One entry: the codec's text and its absolute expiry (`Infinity` = none). */
export interface Slot {
  text: string;
  expiresAt: number;
}

/**
 * The in-memory view of one cache namespace, rebuilt from its journal. Map order is
 * recency order as seen by this process: writes (from any process) and local reads move
 * a key to the recent end.
 *
 * @example
 * ```ts
 * const data = new CacheData();
 * data.apply({ s: "k", v: "1", e: null });
 * ```
 */
export class CacheData implements JournalState<CacheOp> {
  readonly entries = new Map<string, Slot>();
  hits = 0;
  misses = 0;
  evictions = 0;
  handles = 0;
  /** Open handles with `maxEntries`: without one, recency is never used and reads skip `touch`. */
  bounded = 0;
  /** Entries with a TTL: kept up to date so the check after every write costs O(1). */
  #expiring = 0;

  reset(): void {
    this.entries.clear();
    this.#expiring = 0;
  }

  apply(op: CacheOp): void {
    if ("s" in op) {
      this.#remove(op.s);
      const expiresAt = op.e ?? Number.POSITIVE_INFINITY;
      if (expiresAt !== Number.POSITIVE_INFINITY) this.#expiring++;
      this.entries.set(op.s, { text: op.v, expiresAt });
    } else if ("d" in op) this.#remove(op.d);
    else this.reset();
  }

  #remove(key: string): void {
    const slot = this.entries.get(key);
    if (slot === undefined) return;
    if (slot.expiresAt !== Number.POSITIVE_INFINITY) this.#expiring--;
    this.entries.delete(key);
  }

  size(): number {
    return this.entries.size;
  }

  // Cache operations hold strings, finite numbers and null under keys other than "$": the
  // tagged codec's text for them is plain JSON, so plain JSON reads and writes the same
  // bytes without the codec's walk.
  encode(op: CacheOp): string {
    return JSON.stringify(op);
  }

  decode(text: string): CacheOp {
    try {
      return JSON.parse(text) as CacheOp;
    } catch (cause) {
      throw fileError("CORRUPTION", "a cache journal entry is not valid JSON; restore from a backup", cause);
    }
  }

  snapshot(): CacheOp[] {
    const now = Date.now();
    const ops: CacheOp[] = [];
    for (const [key, slot] of this.entries) {
      if (slot.expiresAt > now) ops.push(setOp(key, slot.text, slot.expiresAt));
    }
    return ops;
  }

  /** The entry of `key` unless missing or expired (expired ones are left to the sweep). */
  live(key: string, now = Date.now()): Slot | undefined {
    const slot = this.entries.get(key);
    return slot !== undefined && slot.expiresAt > now ? slot : undefined;
  }

  /** Marks `key` as just used (LRU), when some handle evicts by recency. */
  touch(key: string, slot: Slot): void {
    if (this.bounded === 0) return;
    this.entries.delete(key);
    this.entries.set(key, slot);
  }

  /** Delete operations for every expired entry. */
  expiredOps(): CacheOp[] {
    const now = Date.now();
    const ops: CacheOp[] = [];
    for (const [key, slot] of this.entries) if (slot.expiresAt <= now) ops.push({ d: key });
    return ops;
  }

  /** Entries not expired yet. */
  liveCount(now = Date.now()): number {
    let live = 0;
    for (const slot of this.entries.values()) if (slot.expiresAt > now) live++;
    return live;
  }

  /** True while some entry has a TTL (the sweep has work). */
  hasExpiring(): boolean {
    return this.#expiring > 0;
  }

  /**
   * Delete operations that keep at most `max` entries once `writing` keys are written:
   * expired entries first, then the least recently used. Counts live evictions.
   */
  evictionOps(writing: ReadonlySet<string>, max: number): CacheOp[] {
    let size = this.entries.size;
    for (const key of writing) if (!this.entries.has(key)) size++;
    if (size <= max) return [];
    const now = Date.now();
    const ops: CacheOp[] = [];
    const victims = new Set<string>();
    for (const [key, slot] of this.entries) {
      if (size <= max) break;
      if (slot.expiresAt <= now && !writing.has(key)) {
        victims.add(key);
        ops.push({ d: key });
        size--;
      }
    }
    for (const key of this.entries.keys()) {
      if (size <= max) break;
      if (writing.has(key) || victims.has(key)) continue;
      ops.push({ d: key });
      this.evictions++;
      size--;
    }
    return ops;
  }
}

/** A set operation; `Infinity` is stored as `null` (JSON has no infinity). */
export function setOp(key: string, text: string, expiresAt: number): CacheOp {
  return { s: key, v: text, e: expiresAt === Number.POSITIVE_INFINITY ? null : expiresAt };
}
