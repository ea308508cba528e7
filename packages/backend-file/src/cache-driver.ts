import {
  type CacheDriver,
  type CacheRow,
  type CacheSettings,
  type CacheStore,
  type CacheValues,
  closedError,
} from "@core/protocols/kit";
import { type CacheData, type CacheOp, setOp } from "./cache-data.js";
import { type CacheNamespace, NEVER, openCacheNamespace, scheduleSweep, stopSweep } from "./cache-namespace.js";
import { BACKEND } from "./errors.js";
import type { FileShared } from "./shared.js";

/**
 * The file backend's cache driver: per namespace a {@link Journal} of set/delete
 * operations (expiry beside the value), so `add` and `increment` are atomic across
 * processes. Expired entries are invisible at once, reclaimed by a sweep (unref'd timer)
 * and compaction. Native LRU (`maxEntries`).
 */
export function fileCacheDriver(shared: FileShared): CacheDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    maxEntries: true,
    sweepIntervalMs: shared.sweepIntervalMs,
    open: (name, settings) => new FileCacheStore(shared, openCacheNamespace(shared, name), settings),
  };
}

class FileCacheStore implements CacheStore {
  readonly counters: CacheData;
  readonly #shared: FileShared;
  readonly #ns: CacheNamespace;
  readonly #values: CacheValues;
  readonly #maxEntries: number;
  readonly #sweepMs: number;

  constructor(shared: FileShared, ns: CacheNamespace, settings: CacheSettings) {
    this.#shared = shared;
    this.#ns = ns;
    this.counters = ns.data;
    this.#values = settings.values;
    this.#maxEntries = settings.maxEntries ?? NEVER;
    this.#sweepMs = settings.sweepIntervalMs;
    ns.data.handles++;
    if (this.#maxEntries !== NEVER) ns.data.bounded++;
  }

  /** Runs `fn` as in-flight work of the backend (close() waits for it). */
  #run<T>(fn: () => Promise<T>): Promise<T> {
    return this.#shared.lifecycle.run(fn);
  }

  /**
   * Reads after catching up with other processes' writes (one check for concurrent reads).
   * An exclusive backend's journal is current once held: the read answers at once, with
   * nothing in flight for close() to wait for.
   */
  #read<T>(fn: (data: CacheData) => T): Promise<T> {
    if (this.#ns.journal.current()) {
      if (this.#shared.lifecycle.closed) return Promise.reject(closedError(BACKEND));
      try {
        return Promise.resolve(fn(this.#ns.data));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.#run(() => this.#ns.journal.sync().then(() => fn(this.#ns.data)));
  }

  /**
   * Writes `sets` under the lock, plus the evictions they cause (only with `maxEntries`:
   * without it a write allocates nothing beyond its ops). A set with an expiry starts the
   * sweep, from under the lock: no promise of its own after the write.
   */
  #write<T>(build: (data: CacheData) => { result: T; sets: CacheOp[]; other?: CacheOp[] }): Promise<T> {
    const ns = this.#ns;
    return this.#run(() =>
      ns.journal.mutate(() => {
        const { result, sets, other } = build(ns.data);
        let ops = other === undefined ? sets : [...other, ...sets];
        if (this.#maxEntries !== NEVER) {
          const writing = new Set(sets.map((op) => (op as { s: string }).s));
          ops = [...(other ?? []), ...ns.data.evictionOps(writing, this.#maxEntries), ...sets];
        }
        if (sets.some((op) => (op as { e: number | null }).e !== null)) {
          scheduleSweep(this.#shared, ns, this.#sweepMs, true);
        }
        return { result, ops };
      }),
    );
  }

  #expiry(ttlMs: number | undefined): number {
    return ttlMs === undefined ? NEVER : Date.now() + ttlMs;
  }

  #text(data: CacheData, key: string): string | undefined {
    const slot = data.live(key);
    if (slot === undefined) return undefined;
    data.touch(key, slot);
    return slot.text;
  }

  get(key: string): Promise<string | undefined> {
    return this.#read((data) => this.#text(data, key));
  }

  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return this.#read((data) => keys.map((key) => this.#text(data, key)));
  }

  set(key: string, text: string, ttlMs: number | undefined): Promise<void> {
    return this.#write(() => ({ result: undefined, sets: [setOp(key, text, this.#expiry(ttlMs))] }));
  }

  setMany(rows: readonly CacheRow[]): Promise<void> {
    return this.#write(() => ({
      result: undefined,
      sets: rows.map(([key, text, ttlMs]) => setOp(key, text, this.#expiry(ttlMs))),
    }));
  }

  add(key: string, text: string, ttlMs: number | undefined): Promise<boolean> {
    return this.#write((data) =>
      data.live(key) !== undefined
        ? { result: false, sets: [] }
        : { result: true, sets: [setOp(key, text, this.#expiry(ttlMs))] },
    );
  }

  increment(key: string, by: number, ttlMs: number | undefined): Promise<number> {
    return this.#write((data) => {
      const slot = data.live(key);
      const next = this.#values.increment(key, slot?.text, by);
      const expiresAt = slot === undefined ? this.#expiry(ttlMs) : slot.expiresAt; // an existing entry keeps its TTL
      return { result: next, sets: [setOp(key, this.#values.encode(next), expiresAt)] };
    });
  }

  async delete(key: string): Promise<boolean> {
    return (await this.deleteMany([key])) === 1;
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    return this.#run(() =>
      this.#ns.journal.mutate(() => {
        const now = Date.now();
        let count = 0;
        const ops: CacheOp[] = [];
        for (const key of keys) {
          if (!this.#ns.data.entries.has(key)) continue;
          if (this.#ns.data.live(key, now) !== undefined) count++;
          ops.push({ d: key });
        }
        return { result: count, ops };
      }),
    );
  }

  has(key: string): Promise<boolean> {
    return this.#read((data) => data.live(key) !== undefined);
  }

  ttl(key: string): Promise<number | null | undefined> {
    return this.#read((data) => {
      const slot = data.live(key);
      if (slot === undefined) return undefined;
      return slot.expiresAt === NEVER ? null : Math.max(1, slot.expiresAt - Date.now());
    });
  }

  async *keys(prefix: string): AsyncIterable<string> {
    const snapshot = await this.#read((data) => [...data.entries.keys()]);
    for (const key of snapshot) if (key.startsWith(prefix) && this.#ns.data.live(key) !== undefined) yield key;
  }

  clear(): Promise<number> {
    return this.#run(() =>
      this.#ns.journal.mutate(() => ({ result: this.#ns.data.liveCount(), ops: [{ x: 1 } as CacheOp] })),
    );
  }

  /** `entries` as stored; `live` and `expired` (past TTL, not yet swept) split them. */
  stats(): Promise<{
    entries: number;
    live: number;
    expired: number;
    truncatedBytes: number;
    damagedRecords: number;
  }> {
    return this.#read((data) => {
      const { truncatedBytes, damagedRecords } = this.#ns.journal;
      const live = data.liveCount();
      const entries = data.entries.size;
      return { entries, live, expired: entries - live, truncatedBytes, damagedRecords };
    });
  }

  close(): void {
    if (this.#maxEntries !== NEVER) this.#ns.data.bounded--;
    if (--this.#ns.data.handles === 0) stopSweep(this.#ns);
  }
}
