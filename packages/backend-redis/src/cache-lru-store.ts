import type { CacheRow } from "@core/protocols/kit";
import { px, RedisCacheStore, throwFirst } from "./cache-store.js";
import { escapeGlob } from "./keys.js";
import { scanKeys } from "./scan.js";
import { scripts } from "./scripts.js";
import { type RedisShared, run } from "./shared.js";

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
 *
 * @example
 * ```ts
 * const store = new RedisLruCacheStore(shared, "pages", 10_000);
 * ```
 */
export class RedisLruCacheStore extends RedisCacheStore {
  readonly #keys: readonly string[];
  readonly #head: readonly string[];

  constructor(shared: RedisShared, name: string, maxEntries: number) {
    super(shared, name);
    const ns = this.namespace;
    this.#keys = [`${ns}:lru`, `${ns}:exp`, `${ns}:tick`, `${ns}:evicted`];
    this.#head = [this.base, String(maxEntries)];
  }

  #texts(names: readonly string[]): Promise<(string | null)[]> {
    return scripts().cacheLruGet.run(this.shared.client, this.#keys, [...this.#head, ...names]) as Promise<
      (string | null)[]
    >;
  }

  #write(op: "set" | "add", rows: readonly CacheRow[]): Promise<unknown> {
    const args: string[] = [...this.#head, op];
    for (const [key, text, ttlMs] of rows) args.push(key, text, ttlMs === undefined ? "" : String(px(ttlMs)));
    return scripts().cacheLruWrite.run(this.shared.client, this.#keys, args);
  }

  override async get(key: string): Promise<string | undefined> {
    const [text] = await run(this.shared, "cache.get", () => this.#texts([key]));
    return text ?? undefined;
  }

  override async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const texts = await run(this.shared, "cache.getMany", () => this.#texts(keys));
    return texts.map((text) => text ?? undefined);
  }

  override set(key: string, text: string, ttlMs: number | undefined): Promise<unknown> {
    return run(this.shared, "cache.set", () => this.#write("set", [[key, text, ttlMs]]));
  }

  override setMany(rows: readonly CacheRow[]): Promise<void> {
    return run(this.shared, "cache.setMany", async () => void (await this.#write("set", rows)));
  }

  override async add(key: string, text: string, ttlMs: number | undefined): Promise<boolean> {
    return (await run(this.shared, "cache.add", () => this.#write("add", [[key, text, ttlMs]]))) === 1;
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

  override clear(): Promise<number> {
    const [lru, exp, tick] = this.#keys as [string, string, string];
    return run(this.shared, "cache.clear", async () => {
      let removed = 0;
      for await (const page of scanKeys(this.shared.client, `${escapeGlob(this.base)}*`)) {
        removed += (await this.shared.client.call("UNLINK", ...page)) as number;
      }
      await this.shared.client.call("UNLINK", lru, exp, tick);
      return removed;
    });
  }
}
