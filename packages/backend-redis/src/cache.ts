import {
  assertInteger,
  assertKey,
  assertKeys,
  assertName,
  assertPlainObject,
  assertTtl,
  type Cache,
  type CacheEntry,
  type CacheOptions,
  type CacheStats,
  type Codec,
  checkCodec,
  closedError,
  compileGlob,
  encodeValue,
  invalidArgument,
  isPlainObject,
  notSupported,
  type SetOptions,
} from "@core/protocols";
import { BACKEND, decodeStored } from "./errors.js";
import { escapeGlob, namespaceKey } from "./keys.js";
import { scanKeys } from "./scan.js";
import { scripts } from "./scripts.js";
import { type RedisShared, run } from "./shared.js";

const MAX_PX = Number.MAX_SAFE_INTEGER;

function px(ttlMs: number): number {
  return Math.min(MAX_PX, Math.max(1, Math.ceil(ttlMs)));
}

function checkCacheOptions(options: CacheOptions | undefined): { defaultTtlMs: number | undefined; codec: Codec } {
  if (options === undefined) return { defaultTtlMs: undefined, codec: checkCodec(BACKEND, undefined) };
  assertPlainObject(BACKEND, options, "cache options");
  if (options.maxEntries !== undefined) {
    throw notSupported(BACKEND, "maxEntries (configure the server's maxmemory-policy for eviction)");
  }
  assertTtl(BACKEND, options.defaultTtlMs);
  if (options.sweepIntervalMs !== undefined) {
    // Redis expires keys itself; the option is accepted for portability and validated.
    const s = options.sweepIntervalMs;
    if (typeof s !== "number" || !Number.isFinite(s) || s <= 0) {
      throw invalidArgument(BACKEND, "sweepIntervalMs must be a positive finite number");
    }
  }
  return { defaultTtlMs: options.defaultTtlMs, codec: checkCodec(BACKEND, options.codec) };
}

/**
 * Opens a cache namespace: one Redis string per entry at `{prefix}:{c:<name>}:k:<key>`,
 * expiry by the server (`SET … PX`), batches in one round trip.
 *
 * @example
 * ```ts
 * const cache = createRedisCache<number>(shared, "counters", { defaultTtlMs: 60_000 });
 * await cache.increment("hits");
 * ```
 */
export function createRedisCache<V>(shared: RedisShared, name: string, options?: CacheOptions): Cache<V> {
  assertName(BACKEND, name, "cache name");
  const { defaultTtlMs, codec } = checkCacheOptions(options);
  return new RedisCache<V>(shared, name, defaultTtlMs, codec);
}

class RedisCache<V> implements Cache<V> {
  readonly name: string;
  readonly #shared: RedisShared;
  readonly #base: string;
  readonly #defaultTtlMs: number | undefined;
  readonly #codec: Codec;
  readonly #counters: { hits: number; misses: number };
  #closed = false;

  constructor(shared: RedisShared, name: string, defaultTtlMs: number | undefined, codec: Codec) {
    this.name = name;
    this.#shared = shared;
    this.#base = `${namespaceKey(shared.prefix, "c", name)}:k:`;
    this.#defaultTtlMs = defaultTtlMs;
    this.#codec = codec;
    let counters = shared.cacheCounters.get(name);
    if (counters === undefined) shared.cacheCounters.set(name, (counters = { hits: 0, misses: 0 }));
    this.#counters = counters;
  }

  #open(): void {
    if (this.#closed) throw closedError(BACKEND);
    this.#shared.lifecycle.assertOpen();
  }

  #key(key: string): string {
    return this.#base + key;
  }

  #ttlArgs(ttlMs: number | undefined): (string | number)[] {
    const ttl = ttlMs ?? this.#defaultTtlMs;
    return ttl === undefined ? [] : ["PX", px(ttl)];
  }

  #decode(text: string | null): V | undefined {
    if (text === null) {
      this.#counters.misses++;
      return undefined;
    }
    this.#counters.hits++;
    return decodeStored(this.#codec, text) as V;
  }

  async get(key: string): Promise<V | undefined> {
    this.#open();
    assertKey(BACKEND, key);
    const text = (await run(this.#shared, "cache.get", () => this.#shared.client.call("GET", this.#key(key)))) as
      | string
      | null;
    return this.#decode(text);
  }

  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    this.#open();
    assertKeys(BACKEND, keys);
    if (keys.length === 0) return [];
    const texts = (await run(this.#shared, "cache.getMany", () =>
      this.#shared.client.call("MGET", ...keys.map((k) => this.#key(k))),
    )) as (string | null)[];
    return texts.map((t) => this.#decode(t));
  }

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    this.#open();
    assertKey(BACKEND, key);
    const ttlMs = checkSetOptions(options);
    const text = encodeValue(BACKEND, this.#codec, value);
    const full = this.#key(key);
    const ttl = ttlMs ?? this.#defaultTtlMs;
    const client = this.#shared.client;
    await run(this.#shared, "cache.set", () =>
      ttl === undefined ? client.call("SET", full, text) : client.call("SET", full, text, "PX", px(ttl)),
    );
  }

  async setMany(entries: readonly CacheEntry<V>[]): Promise<void> {
    this.#open();
    if (!Array.isArray(entries)) throw invalidArgument(BACKEND, "setMany needs an array of { key, value, ttlMs? }");
    // Validate and encode everything first: one bad entry means nothing is written.
    const n = entries.length;
    if (n === 0) return;
    // Key/value pairs as MSET takes them, and each entry's TTL (0: none).
    const flat: string[] = new Array(2 * n);
    const ttls: number[] = new Array(n);
    let expiring = false;
    for (let i = 0; i < n; i++) {
      const entry = entries[i] as CacheEntry<V>;
      if (!isPlainObject(entry)) assertPlainObject(BACKEND, entry, `entries[${i}]`);
      assertKey(BACKEND, entry.key);
      assertTtl(BACKEND, entry.ttlMs);
      flat[2 * i] = this.#key(entry.key);
      flat[2 * i + 1] = encodeValue(BACKEND, this.#codec, entry.value, i);
      const ttl = entry.ttlMs ?? this.#defaultTtlMs;
      ttls[i] = ttl === undefined ? 0 : px(ttl);
      if (ttl !== undefined) expiring = true;
    }
    const client = this.#shared.client;
    if (!expiring) {
      // MSET is atomic and clears TTLs like SET: one command instead of MULTI + n SETs + EXEC.
      // The keys share the namespace's hash tag, so this works on a cluster too.
      await run(this.#shared, "cache.setMany", () => client.call("MSET", ...flat));
      return;
    }
    await run(this.#shared, "cache.setMany", async () => {
      const tx = client.multi();
      for (let i = 0; i < n; i++) {
        const key = flat[2 * i] as string;
        const text = flat[2 * i + 1] as string;
        const ttl = ttls[i] as number;
        if (ttl === 0) tx.call("SET", key, text);
        else tx.call("SET", key, text, "PX", ttl);
      }
      throwFirst(await tx.exec());
    });
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    this.#open();
    assertKey(BACKEND, key);
    const ttlMs = checkSetOptions(options);
    const text = encodeValue(BACKEND, this.#codec, value);
    const reply = await run(this.#shared, "cache.add", () =>
      this.#shared.client.call("SET", this.#key(key), text, "NX", ...this.#ttlArgs(ttlMs)),
    );
    return reply === "OK";
  }

  async increment(key: string, by = 1): Promise<number> {
    this.#open();
    assertKey(BACKEND, key);
    assertInteger(BACKEND, by, "by");
    const ttl = this.#defaultTtlMs === undefined ? "" : String(px(this.#defaultTtlMs));
    const reply = await run(this.#shared, "cache.increment", () =>
      scripts().cacheIncrement.run(this.#shared.client, [this.#key(key)], [String(by), ttl]),
    );
    return Number(reply);
  }

  async delete(key: string): Promise<boolean> {
    this.#open();
    assertKey(BACKEND, key);
    const n = await run(this.#shared, "cache.delete", () => this.#shared.client.call("UNLINK", this.#key(key)));
    return n === 1;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    this.#open();
    assertKeys(BACKEND, keys);
    if (keys.length === 0) return 0;
    const unique = [...new Set(keys)].map((k) => this.#key(k));
    return (await run(this.#shared, "cache.deleteMany", () => this.#shared.client.call("UNLINK", ...unique))) as number;
  }

  async has(key: string): Promise<boolean> {
    this.#open();
    assertKey(BACKEND, key);
    const n = await run(this.#shared, "cache.has", () => this.#shared.client.call("EXISTS", this.#key(key)));
    return n === 1;
  }

  async ttl(key: string): Promise<number | null | undefined> {
    this.#open();
    assertKey(BACKEND, key);
    const ms = (await run(this.#shared, "cache.ttl", () => this.#shared.client.call("PTTL", this.#key(key)))) as number;
    if (ms === -2) return undefined;
    if (ms === -1) return null;
    return ms;
  }

  async *keys(options?: { match?: string }): AsyncGenerator<string> {
    this.#open();
    if (options !== undefined) assertPlainObject(BACKEND, options, "keys options");
    const match = options?.match;
    if (match !== undefined && typeof match !== "string") throw invalidArgument(BACKEND, "match must be a string");
    const test = match === undefined ? () => true : compileGlob(match);
    // The server narrows by the literal head of the pattern; the exact glob runs here,
    // because Redis' MATCH has a richer syntax (classes, escapes) and counts bytes for `?`.
    const head = match === undefined ? "" : (match.split(/[*?]/, 1)[0] ?? "");
    const pattern = `${escapeGlob(this.#base + head)}*`;
    const seen = new Set<string>();
    const pages = scanKeys(this.#shared.client, pattern);
    for (;;) {
      this.#open();
      const page = await run(this.#shared, "cache.keys", () => pages.next());
      if (page.done) return;
      for (const full of page.value) {
        const key = full.slice(this.#base.length);
        if (seen.has(key) || !test(key)) continue;
        seen.add(key);
        yield key;
      }
    }
  }

  async clear(): Promise<number> {
    this.#open();
    return run(this.#shared, "cache.clear", async () => {
      let removed = 0;
      for await (const page of scanKeys(this.#shared.client, `${escapeGlob(this.#base)}*`)) {
        removed += (await this.#shared.client.call("UNLINK", ...page)) as number;
      }
      return removed;
    });
  }

  async stats(): Promise<CacheStats> {
    this.#open();
    const entries = await run(this.#shared, "cache.stats", async () => {
      const seen = new Set<string>();
      for await (const page of scanKeys(this.#shared.client, `${escapeGlob(this.#base)}*`)) {
        for (const key of page) seen.add(key);
      }
      return seen.size;
    });
    return { entries, hits: this.#counters.hits, misses: this.#counters.misses, evictions: 0 };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

function checkSetOptions(options: SetOptions | undefined): number | undefined {
  if (options === undefined) return undefined;
  assertPlainObject(BACKEND, options, "set options");
  assertTtl(BACKEND, options.ttlMs);
  return options.ttlMs;
}

/**
 * Rethrows the first failed reply of a pipeline or transaction.
 *
 * @example
 * ```ts
 * throwFirst(await client.multi().call("SET", k, v).exec());
 * ```
 */
export function throwFirst(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new Error("Connection is closed.: the transaction was aborted");
  const out: unknown[] = [];
  for (const [err, value] of results) {
    if (err) throw err;
    out.push(value);
  }
  return out;
}
