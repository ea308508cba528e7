import type { Cache, CacheEntry, CacheStats, SetOptions } from "./cache.js";
import { BackendError } from "./errors.js";
import { compileGlob } from "./glob.js";
import { assertInteger, assertKey, assertTtl } from "./validation.js";

interface Slot {
  value: unknown;
  expiresAt: number | null;
}

/**
 * A small Map-based cache for unit tests of the helpers written against the `Cache`
 * interface (a test double of our own interface, not a mock of an external system).
 * `down = true` makes every call fail with `CONNECTION`, like an unreachable server.
 */
export class MapCache<V = unknown> implements Cache<V> {
  readonly name: string;
  readonly calls: string[] = [];
  down = false;
  readonly #slots = new Map<string, Slot>();
  readonly #defaultTtlMs: number | undefined;
  #hits = 0;
  #misses = 0;

  constructor(name: string, defaultTtlMs?: number) {
    this.name = name;
    this.#defaultTtlMs = defaultTtlMs;
  }

  #enter(call: string): void {
    this.calls.push(call);
    if (this.down) throw new BackendError("CONNECTION", `${this.name} is down`, { backend: this.name });
  }

  #live(key: string): Slot | undefined {
    const slot = this.#slots.get(key);
    if (slot && slot.expiresAt !== null && slot.expiresAt <= Date.now()) {
      this.#slots.delete(key);
      return undefined;
    }
    return slot;
  }

  #write(key: string, value: unknown, ttlMs: number | undefined): void {
    const ttl = ttlMs ?? this.#defaultTtlMs;
    this.#slots.set(key, { value: structuredClone(value), expiresAt: ttl === undefined ? null : Date.now() + ttl });
  }

  async get(key: string): Promise<V | undefined> {
    this.#enter(`get ${key}`);
    assertKey(this.name, key);
    const slot = this.#live(key);
    if (slot) this.#hits++;
    else this.#misses++;
    return slot ? (structuredClone(slot.value) as V) : undefined;
  }
  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    this.#enter(`getMany ${keys.join(",")}`);
    return keys.map((key) => {
      const slot = this.#live(key);
      return slot ? (structuredClone(slot.value) as V) : undefined;
    });
  }
  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    this.#enter(`set ${key}`);
    assertKey(this.name, key);
    assertTtl(this.name, options?.ttlMs);
    this.#write(key, value, options?.ttlMs);
  }
  async setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    this.#enter("setMany");
    for (const entry of entries) this.#write(entry.key, entry.value, entry.ttlMs);
  }
  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    this.#enter(`add ${key}`);
    if (this.#live(key)) return false;
    this.#write(key, value, options?.ttlMs);
    return true;
  }
  async increment(key: string, by = 1): Promise<number> {
    this.#enter(`increment ${key}`);
    assertInteger(this.name, by, "by");
    const slot = this.#live(key);
    const next = ((slot?.value as number | undefined) ?? 0) + by;
    if (slot) slot.value = next;
    else this.#write(key, next, undefined);
    return next;
  }
  async delete(key: string): Promise<boolean> {
    this.#enter(`delete ${key}`);
    return this.#live(key) !== undefined && this.#slots.delete(key);
  }
  async deleteMany(keys: readonly string[]): Promise<number> {
    this.#enter("deleteMany");
    let count = 0;
    for (const key of keys) if (this.#live(key) && this.#slots.delete(key)) count++;
    return count;
  }
  async has(key: string): Promise<boolean> {
    this.#enter(`has ${key}`);
    return this.#live(key) !== undefined;
  }
  async ttl(key: string): Promise<number | null | undefined> {
    this.#enter(`ttl ${key}`);
    const slot = this.#live(key);
    if (!slot) return undefined;
    return slot.expiresAt === null ? null : slot.expiresAt - Date.now();
  }
  async *keys(options?: { match?: string }): AsyncIterable<string> {
    this.#enter("keys");
    const match = compileGlob(options?.match ?? "*");
    for (const key of [...this.#slots.keys()]) if (this.#live(key) && match(key)) yield key;
  }
  async clear(): Promise<number> {
    this.#enter("clear");
    const count = this.#slots.size;
    this.#slots.clear();
    return count;
  }
  async stats(): Promise<CacheStats> {
    this.#enter("stats");
    return { entries: this.#slots.size, hits: this.#hits, misses: this.#misses, evictions: 0 };
  }
  async close(): Promise<void> {}

  /** The raw expiry of `key` (test inspection, no side effects). */
  expiresAt(key: string): number | null | undefined {
    return this.#slots.get(key)?.expiresAt;
  }
}
