import type { CacheCounters, CacheDriver, CacheRow, CacheStore } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import { escapeGlob, namespaceKey } from "./keys.js";
import { scanKeys } from "./scan.js";
import { scripts } from "./scripts.js";
import { call, type RedisShared, run, throwFirst } from "./shared.js";

// Redis expires keys itself: the option is only validated, for portability.
const UNUSED_SWEEP_MS = 1_000;

/**
 * The redis backend's cache driver: one Redis string per entry at
 * `{prefix}:{c:<name>}:k:<key>`, expiry by the server (`SET … PX`), batches in one round
 * trip. `maxEntries`: a per-namespace LRU kept by Lua scripts ({@link RedisLruCacheStore}).
 *
 * @example
 * ```ts
 * const cache = createCache<number>(redisCacheDriver(shared), "counters", { defaultTtlMs: 60_000 });
 * await cache.increment("hits");
 * ```
 */
export function redisCacheDriver(shared: RedisShared): CacheDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    maxEntries: true,
    sweepIntervalMs: UNUSED_SWEEP_MS,
    open: (name, settings) =>
      settings.maxEntries === undefined
        ? new RedisCacheStore(shared, name)
        : new RedisLruCacheStore(shared, name, settings.maxEntries),
  };
}

/** A TTL as the whole, positive ms `PX` takes. */
function px(ttlMs: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, Math.ceil(ttlMs)));
}

/**
 * One namespace's entries; the plain commands, without recency bookkeeping.
 */
class RedisCacheStore implements CacheStore {
  readonly counters: CacheCounters;
  protected readonly shared: RedisShared;
  /** The namespace's key (hash tag included): its bookkeeping keys hang off it. */
  protected readonly namespace: string;
  /** The prefix of every entry key. */
  protected readonly base: string;

  constructor(shared: RedisShared, name: string) {
    this.shared = shared;
    this.namespace = namespaceKey(shared.prefix, "c", name);
    this.base = `${this.namespace}:k:`;
    let counters = shared.cacheCounters.get(name);
    if (counters === undefined) shared.cacheCounters.set(name, (counters = { hits: 0, misses: 0, evictions: 0 }));
    this.counters = counters;
  }

  async get(key: string): Promise<string | undefined> {
    return ((await call(this.shared, "cache.get", "GET", this.base + key)) as string | null) ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const texts = (await call(this.shared, "cache.getMany", "MGET", ...keys.map((k) => this.base + k))) as (
      | string
      | null
    )[];
    return texts.map((text) => text ?? undefined);
  }

  set(key: string, text: string, ttlMs: number | undefined): Promise<unknown> {
    const full = this.base + key;
    return ttlMs === undefined
      ? call(this.shared, "cache.set", "SET", full, text)
      : call(this.shared, "cache.set", "SET", full, text, "PX", px(ttlMs));
  }

  async setMany(rows: readonly CacheRow[]): Promise<unknown> {
    if (rows.every((row) => row[2] === undefined)) {
      // MSET is atomic and clears TTLs like SET: one command instead of MULTI + n SETs + EXEC.
      // The keys share the namespace's hash tag, so this works on a cluster too.
      await call(this.shared, "cache.setMany", "MSET", ...rows.flatMap(([key, text]) => [this.base + key, text]));
      return;
    }
    await run(this.shared, "cache.setMany", async () => {
      const tx = this.shared.client.multi();
      for (const [key, text, ttlMs] of rows) {
        if (ttlMs === undefined) tx.call("SET", this.base + key, text);
        else tx.call("SET", this.base + key, text, "PX", px(ttlMs));
      }
      throwFirst(await tx.exec());
    });
  }

  async add(key: string, text: string, ttlMs: number | undefined): Promise<boolean> {
    const ttl = ttlMs === undefined ? [] : ["PX", px(ttlMs)];
    return (await call(this.shared, "cache.add", "SET", this.base + key, text, "NX", ...ttl)) === "OK";
  }

  async increment(key: string, by: number, ttlMs: number | undefined): Promise<number> {
    const ttl = ttlMs === undefined ? "" : String(px(ttlMs));
    const reply = await run(this.shared, "cache.increment", () =>
      scripts().cacheIncrement.run(this.shared.client, [this.base + key], [String(by), ttl]),
    );
    return Number(reply);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.deleteMany([key])) === 1;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    return (await call(this.shared, "cache.deleteMany", "UNLINK", ...keys.map((k) => this.base + k))) as number;
  }

  async has(key: string): Promise<boolean> {
    return (await call(this.shared, "cache.has", "EXISTS", this.base + key)) === 1;
  }

  async ttl(key: string): Promise<number | null | undefined> {
    const ms = (await call(this.shared, "cache.ttl", "PTTL", this.base + key)) as number;
    return ms === -2 ? undefined : ms === -1 ? null : ms;
  }

  keys(prefix: string): AsyncIterable<string> {
    return this.#scan("cache.keys", prefix);
  }

  // The server narrows by the literal head of the glob; the exact glob runs in the layer,
  // because Redis' MATCH has a richer syntax (classes, escapes) and counts bytes for `?`.
  async *#scan(what: string, prefix: string): AsyncGenerator<string> {
    const seen = new Set<string>(); // SCAN may return a key twice
    const pages = scanKeys(this.shared.client, `${escapeGlob(this.base + prefix)}*`);
    for (;;) {
      const page = await run(this.shared, what, () => pages.next());
      if (page.done) return;
      for (const full of page.value) {
        if (seen.has(full)) continue;
        seen.add(full);
        yield full.slice(this.base.length);
      }
    }
  }

  clear(): Promise<number> {
    return run(this.shared, "cache.clear", async () => {
      let removed = 0;
      for await (const page of scanKeys(this.shared.client, `${escapeGlob(this.base)}*`)) {
        removed += (await this.shared.client.call("UNLINK", ...page)) as number;
      }
      const bookkeeping = this.bookkeeping();
      if (bookkeeping.length > 0) await this.shared.client.call("UNLINK", ...bookkeeping);
      return removed;
    });
  }

  async stats(): Promise<{ entries: number }> {
    let entries = 0;
    for await (const _ of this.#scan("cache.stats", "")) entries++;
    // Evictions are counted by the LRU scripts on the server: every client of the namespace sees them.
    this.counters.evictions = Number(await call(this.shared, "cache.stats", "GET", `${this.namespace}:evicted`));
    return { entries };
  }

  close(): void {
    // Nothing of its own to stop: the server expires entries.
  }

  /** Keys besides the entries that `clear()` removes (an LRU's recency bookkeeping). */
  protected bookkeeping(): readonly string[] {
    return [];
  }
}

/**
 * A namespace with `maxEntries`: the entries of {@link RedisCacheStore} plus, kept by Lua
 * scripts in the same atomic step as each write, a sorted set of entry names by recency
 * (`…:lru`), one of their expiry times (`…:exp`), a recency tick and an eviction counter,
 * all under the namespace's hash tag. A write that takes the namespace past the bound
 * removes the least recently used entries; a `get`/`getMany` hit marks the entry recent.
 *
 * Cost: every read is a script (`GET` + `INCR` + `ZADD` per hit) instead of a `GET`, and
 * every write adds a `ZADD` (two with a TTL) plus the eviction check — still one round
 * trip each. Only the writes and reads of handles opened with `maxEntries` keep the
 * bookkeeping: give every handle of a namespace the same option.
 */
class RedisLruCacheStore extends RedisCacheStore {
  /** `lru`, `exp`, `tick`, `evicted`: what the scripts keep beside the entries. */
  readonly #keys: readonly string[];
  readonly #head: readonly string[];

  constructor(shared: RedisShared, name: string, maxEntries: number) {
    super(shared, name);
    this.#keys = ["lru", "exp", "tick", "evicted"].map((suffix) => `${this.namespace}:${suffix}`);
    this.#head = [this.base, String(maxEntries)];
  }

  #texts(what: string, names: readonly string[]): Promise<(string | undefined)[]> {
    return run(this.shared, what, async () => {
      const texts = (await scripts().cacheLruGet.run(this.shared.client, this.#keys, [...this.#head, ...names])) as (
        | string
        | null
      )[];
      return texts.map((text) => text ?? undefined);
    });
  }

  #write(what: string, op: "set" | "add", rows: readonly CacheRow[]): Promise<unknown> {
    const args: string[] = [...this.#head, op];
    for (const [key, text, ttlMs] of rows) args.push(key, text, ttlMs === undefined ? "" : String(px(ttlMs)));
    return run(this.shared, what, () => scripts().cacheLruWrite.run(this.shared.client, this.#keys, args));
  }

  override async get(key: string): Promise<string | undefined> {
    return (await this.#texts("cache.get", [key]))[0];
  }

  override getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return this.#texts("cache.getMany", keys);
  }

  override set(key: string, text: string, ttlMs: number | undefined): Promise<unknown> {
    return this.#write("cache.set", "set", [[key, text, ttlMs]]);
  }

  override setMany(rows: readonly CacheRow[]): Promise<unknown> {
    return this.#write("cache.setMany", "set", rows);
  }

  override async add(key: string, text: string, ttlMs: number | undefined): Promise<boolean> {
    return (await this.#write("cache.add", "add", [[key, text, ttlMs]])) === 1;
  }

  override async increment(key: string, by: number, ttlMs: number | undefined): Promise<number> {
    const ttl = ttlMs === undefined ? "" : String(px(ttlMs));
    const reply = await run(this.shared, "cache.increment", () =>
      scripts().cacheLruIncrement.run(this.shared.client, this.#keys, [...this.#head, key, String(by), ttl]),
    );
    return Number(reply);
  }

  override async deleteMany(keys: readonly string[]): Promise<number> {
    const [lru, exp] = this.#keys as [string, string];
    const replies = await run(this.shared, "cache.deleteMany", async () => {
      const tx = this.shared.client.multi();
      tx.call("UNLINK", ...keys.map((k) => this.base + k));
      tx.call("ZREM", lru, ...keys);
      tx.call("ZREM", exp, ...keys);
      return throwFirst(await tx.exec());
    });
    return replies[0] as number;
  }

  protected override bookkeeping(): readonly string[] {
    return this.#keys.slice(0, 3);
  }
}
