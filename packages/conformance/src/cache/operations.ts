import { expect, test } from "vitest";
import { freshName } from "../names.js";
import { type CacheContext, expectCode, listKeys } from "./context.js";

/**
 * The plain operations: set/get/has, delete, the batch calls, keys, clear and stats.
 *
 * @example
 * ```ts
 * describe("operations", () => registerCacheOperations(ctx));
 * ```
 */
export function registerCacheOperations(ctx: CacheContext): void {
  test("get of a missing key is undefined; has is false", async () => {
    const cache = ctx.cache();
    expect(await cache.get("nope")).toBeUndefined();
    expect(await cache.has("nope")).toBe(false);
    expect(await cache.ttl("nope")).toBeUndefined();
  });

  test("set replaces the value", async () => {
    const cache = ctx.cache();
    await cache.set("k", { v: 1 });
    await cache.set("k", "second");
    expect(await cache.get("k")).toBe("second");
    expect((await cache.stats()).entries).toBe(1);
  });

  test("delete is true once, then false (idempotent)", async () => {
    const cache = ctx.cache();
    await cache.set("k", 0);
    expect(await cache.delete("k")).toBe(true);
    expect(await cache.delete("k")).toBe(false);
    expect(await cache.delete("never")).toBe(false);
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.has("k")).toBe(false);
  });

  test("deleteMany counts the keys that existed, once each", async () => {
    const cache = ctx.cache();
    await cache.setMany([
      { key: "a", value: 1 },
      { key: "b", value: 2 },
      { key: "c", value: 3 },
    ]);
    expect(await cache.deleteMany(["a", "b", "x", "a"])).toBe(2);
    expect(await cache.deleteMany([])).toBe(0);
    expect(await cache.getMany(["a", "b", "c"])).toEqual([undefined, undefined, 3]);
  });

  test("getMany answers in the order asked, duplicates and misses included", async () => {
    const cache = ctx.cache();
    await cache.set("a", 1);
    await cache.set("b", false);
    expect(await cache.getMany(["b", "x", "a", "b", "y"])).toEqual([false, undefined, 1, false, undefined]);
    expect(await cache.getMany([])).toEqual([]);
  });

  test("setMany writes every entry; a repeated key keeps its last value", async () => {
    const cache = ctx.cache();
    await cache.setMany([
      { key: "a", value: 1 },
      { key: "b", value: "two" },
      { key: "a", value: 3 },
    ]);
    expect(await cache.getMany(["a", "b"])).toEqual([3, "two"]);
    await cache.setMany([]);
    expect((await cache.stats()).entries).toBe(2);
  });

  test("a setMany of 100 entries with TTLs and a repeated key far apart writes each as its last entry", async () => {
    const cache = ctx.cache();
    const entries = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0 ? { key: `k${i}`, value: i } : { key: `k${i}`, value: i, ttlMs: 60_000 },
    );
    // Batches may be written in chunks: the repeat sits in another chunk than the first write.
    entries.push({ key: "k3", value: -3 });
    await cache.setMany(entries);
    const values = await cache.getMany(entries.slice(0, 100).map((e) => e.key));
    expect(values).toEqual(entries.slice(0, 100).map((e) => (e.key === "k3" ? -3 : e.value)));
    expect(await cache.ttl("k0")).toBeNull();
    expect(await cache.ttl("k3")).toBeNull();
    const ttl = await cache.ttl("k99");
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect((await cache.stats()).entries).toBe(100);
  });

  test("keys lists this namespace only, each key once, filtered by glob", async () => {
    const cache = ctx.cache();
    const other = ctx.cache();
    const mine = ["user:1", "user:2", "user:10", "item:1", "a.b", "a/b\nc", "(x)", "[ab]", "%"];
    await cache.setMany(mine.map((key) => ({ key, value: 1 })));
    await other.setMany([
      { key: "user:3", value: 1 },
      { key: "zzz", value: 1 },
    ]);
    expect(await listKeys(cache)).toEqual([...mine].sort());
    expect(await listKeys(cache, "*")).toEqual([...mine].sort());
    expect(await listKeys(cache, "user:*")).toEqual(["user:1", "user:10", "user:2"]);
    expect(await listKeys(cache, "user:?")).toEqual(["user:1", "user:2"]);
    expect(await listKeys(cache, "*:1")).toEqual(["item:1", "user:1"]);
    expect(await listKeys(cache, "a?b")).toEqual(["a.b"]);
    expect(await listKeys(cache, "a.b")).toEqual(["a.b"]);
    expect(await listKeys(cache, "a*c")).toEqual(["a/b\nc"]);
    expect(await listKeys(cache, "[ab]")).toEqual(["[ab]"]);
    expect(await listKeys(cache, "(?)")).toEqual(["(x)"]);
    expect(await listKeys(cache, "%")).toEqual(["%"]);
    expect(await listKeys(cache, "nothing*")).toEqual([]);
    expect(await listKeys(other)).toEqual(["user:3", "zzz"]);
  });

  test("keys rejects a glob that is not a string", async () => {
    const cache = ctx.cache();
    await expectCode(() => listKeys(cache, 5 as never), "INVALID_ARGUMENT");
  });

  test("two names never see each other's data; clear empties only its own namespace", async () => {
    const a = ctx.cache();
    const b = ctx.cache();
    await a.set("shared-key", "from a");
    await b.set("shared-key", "from b");
    await a.set("only-a", 1);
    expect(await a.get("shared-key")).toBe("from a");
    expect(await b.get("shared-key")).toBe("from b");
    expect(await b.has("only-a")).toBe(false);
    expect(await a.clear()).toBe(2);
    expect(await a.get("shared-key")).toBeUndefined();
    expect(await b.get("shared-key")).toBe("from b");
    expect((await b.stats()).entries).toBe(1);
    expect(await a.clear()).toBe(0);
    expect(await b.delete("shared-key")).toBe(true);
    expect(await listKeys(b)).toEqual([]);
  });

  test("two handles with the same name share one namespace", async () => {
    const name = freshName("cache");
    const first = ctx.backend.cache(name);
    const second = ctx.backend.cache(name);
    expect(first.name).toBe(name);
    await first.set("k", "v");
    expect(await second.get("k")).toBe("v");
    expect(await second.delete("k")).toBe(true);
    expect(await first.has("k")).toBe(false);
  });

  test("stats counts entries, hits and misses of get", async () => {
    const cache = ctx.cache();
    const fresh = await cache.stats();
    expect(fresh).toMatchObject({ entries: 0, hits: 0, misses: 0, evictions: 0 });
    await cache.set("a", 1);
    await cache.set("b", null);
    await cache.get("a");
    await cache.get("b");
    await cache.get("zz");
    const stats = await cache.stats();
    expect(stats).toMatchObject({ entries: 2, hits: 2, misses: 1, evictions: 0 });
    for (const value of Object.values(stats)) expect(typeof value).toBe("number");
  });
}
