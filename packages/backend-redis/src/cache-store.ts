import type { CacheCounters, CacheRow, CacheStore } from "@core/protocols/kit";
import { escapeGlob, namespaceKey } from "./keys.js";
import { scanKeys } from "./scan.js";
import { scripts } from "./scripts.js";
import { type RedisShared, run } from "./shared.js";

const MAX_PX = Number.MAX_SAFE_INTEGER;

/**
 * A TTL as the whole, positive ms `PX` takes.
 *
 * @example
 * ```ts
 * client.call("SET", key, text, "PX", px(ttlMs));
 * ```
 */
export function px(ttlMs: number): number {
  return Math.min(MAX_PX, Math.max(1, Math.ceil(ttlMs)));
}

/**
 * One namespace's entries; the plain commands, without recency bookkeeping.
 *
 * @example
 * ```ts
 * const store = new RedisCacheStore(shared, "pages");
 * ```
 */
export class RedisCacheStore implements CacheStore {
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

  #key(key: string): string {
    return this.base + key;
  }

  async get(key: string): Promise<string | undefined> {
    const text = (await run(this.shared, "cache.get", () => this.shared.client.call("GET", this.#key(key)))) as
      | string
      | null;
    return text ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const texts = (await run(this.shared, "cache.getMany", () =>
      this.shared.client.call("MGET", ...keys.map((k) => this.#key(k))),
    )) as (string | null)[];
    return texts.map((text) => text ?? undefined);
  }

  set(key: string, text: string, ttlMs: number | undefined): Promise<unknown> {
    const full = this.#key(key);
    const client = this.shared.client;
    return run(this.shared, "cache.set", () =>
      ttlMs === undefined ? client.call("SET", full, text) : client.call("SET", full, text, "PX", px(ttlMs)),
    );
  }

  async setMany(rows: readonly CacheRow[]): Promise<void> {
    const client = this.shared.client;
    if (rows.every((row) => row[2] === undefined)) {
      // MSET is atomic and clears TTLs like SET: one command instead of MULTI + n SETs + EXEC.
      // The keys share the namespace's hash tag, so this works on a cluster too.
      const flat: string[] = new Array(2 * rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [key, text] = rows[i] as CacheRow;
        flat[2 * i] = this.#key(key);
        flat[2 * i + 1] = text;
      }
      await run(this.shared, "cache.setMany", () => client.call("MSET", ...flat));
      return;
    }
    await run(this.shared, "cache.setMany", async () => {
      const tx = client.multi();
      for (const [key, text, ttlMs] of rows) {
        if (ttlMs === undefined) tx.call("SET", this.#key(key), text);
        else tx.call("SET", this.#key(key), text, "PX", px(ttlMs));
      }
      throwFirst(await tx.exec());
    });
  }

  async add(key: string, text: string, ttlMs: number | undefined): Promise<boolean> {
    const ttl = ttlMs === undefined ? [] : ["PX", px(ttlMs)];
    const reply = await run(this.shared, "cache.add", () =>
      this.shared.client.call("SET", this.#key(key), text, "NX", ...ttl),
    );
    return reply === "OK";
  }

  async increment(key: string, by: number, ttlMs: number | undefined): Promise<number> {
    const ttl = ttlMs === undefined ? "" : String(px(ttlMs));
    const reply = await run(this.shared, "cache.increment", () =>
      scripts().cacheIncrement.run(this.shared.client, [this.#key(key)], [String(by), ttl]),
    );
    return Number(reply);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.deleteMany([key])) === 1;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    const full = keys.map((k) => this.#key(k));
    return (await run(this.shared, "cache.deleteMany", () => this.shared.client.call("UNLINK", ...full))) as number;
  }

  async has(key: string): Promise<boolean> {
    const n = await run(this.shared, "cache.has", () => this.shared.client.call("EXISTS", this.#key(key)));
    return n === 1;
  }

  async ttl(key: string): Promise<number | null | undefined> {
    const ms = (await run(this.shared, "cache.ttl", () => this.shared.client.call("PTTL", this.#key(key)))) as number;
    if (ms === -2) return undefined;
    if (ms === -1) return null;
    return ms;
  }

  async *keys(prefix: string): AsyncIterable<string> {
    // The server narrows by the literal head of the glob; the exact glob runs in the layer,
    // because Redis' MATCH has a richer syntax (classes, escapes) and counts bytes for `?`.
    const pattern = `${escapeGlob(this.base + prefix)}*`;
    const seen = new Set<string>(); // SCAN may return a key twice
    const pages = scanKeys(this.shared.client, pattern);
    for (;;) {
      const page = await run(this.shared, "cache.keys", () => pages.next());
      if (page.done) return;
      for (const full of page.value) {
        const key = full.slice(this.base.length);
        if (seen.has(key)) continue;
        seen.add(key);
        yield key;
      }
    }
  }

  clear(): Promise<number> {
    return run(this.shared, "cache.clear", async () => {
      let removed = 0;
      for await (const page of scanKeys(this.shared.client, `${escapeGlob(this.base)}*`)) {
        removed += (await this.shared.client.call("UNLINK", ...page)) as number;
      }
      return removed;
    });
  }

  async stats(): Promise<{ entries: number }> {
    const entries = await run(this.shared, "cache.stats", async () => {
      const seen = new Set<string>();
      for await (const page of scanKeys(this.shared.client, `${escapeGlob(this.base)}*`)) {
        for (const key of page) seen.add(key);
      }
      return seen.size;
    });
    // Evictions are counted by the LRU scripts on the server: every client of the namespace sees them.
    const evicted = await run(this.shared, "cache.stats", () =>
      this.shared.client.call("GET", `${this.namespace}:evicted`),
    );
    this.counters.evictions = Number(evicted ?? 0);
    return { entries };
  }

  close(): void {
    // Nothing of its own to stop: the server expires entries.
  }
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
