import { type Backend, sql } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { openSqliteBackend } from "./index.js";

// The entry count that maxEntries eviction reads (core_cache_sizes, kept by triggers) and
// the real count of the namespace, which must always agree.
async function sizes(backend: Backend, ns: string): Promise<{ kept: number | undefined; counted: number }> {
  const db = backend.sql();
  const [row] = await db.query<{ entries: number }>(sql`SELECT entries FROM core_cache_sizes WHERE ns = ${ns}`);
  const [count] = await db.query<{ n: number }>(sql`SELECT count(*) AS n FROM core_cache WHERE ns = ${ns}`);
  return { kept: row?.entries, counted: count?.n ?? 0 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("sqlite cache size counter (maxEntries)", () => {
  it("stays exact through every kind of write, from maxEntries and plain handles alike", async () => {
    await using backend = await openSqliteBackend();
    const lru = backend.cache<number>("c", { maxEntries: 5 });
    const plain = backend.cache<number>("c");
    const check = async (step: string) => {
      const { kept, counted } = await sizes(backend, "c");
      expect(kept, step).toBe(counted);
      expect(counted, step).toBeLessThanOrEqual(7);
    };
    await lru.set("a", 1);
    await check("first maxEntries write");
    await plain.set("b", 2);
    await plain.set("b", 3);
    await plain.setMany([
      { key: "c", value: 1 },
      { key: "d", value: 1 },
    ]);
    await check("plain writes");
    expect(await plain.add("e", 1)).toBe(true);
    expect(await plain.add("e", 2)).toBe(false);
    expect(await plain.increment("f")).toBe(1);
    await check("plain add and increment");
    await lru.set("g", 1); // 7 entries: evicts down to 5
    await check("eviction");
    expect((await lru.stats()).entries).toBe(5);
    await lru.setMany([
      { key: "h", value: 1 },
      { key: "i", value: 1 },
    ]);
    expect(await lru.add("j", 1)).toBe(true);
    expect(await lru.increment("k")).toBe(1);
    await check("maxEntries batch, add and increment");
    await plain.delete("k");
    await lru.deleteMany(["j", "i", "missing"]);
    await check("deletes");
    await plain.set("short", 1, { ttlMs: 5 });
    await sleep(20);
    expect(await plain.get("short")).toBeUndefined(); // lazily deleted
    await check("lazy expiry delete");
    await plain.clear();
    await check("clear");
    expect((await sizes(backend, "c")).kept).toBe(0);
  });

  it("a namespace no maxEntries handle wrote keeps no counter", async () => {
    await using backend = await openSqliteBackend();
    const plain = backend.cache<number>("plain");
    await plain.set("a", 1);
    await plain.delete("a");
    await plain.set("b", 1);
    expect(await sizes(backend, "plain")).toEqual({ kept: undefined, counted: 1 });
  });

  it("a maxEntries handle over a fuller namespace counts it once and evicts the least recently used", async () => {
    await using backend = await openSqliteBackend();
    const plain = backend.cache<number>("full");
    for (const key of ["a", "b", "c", "d", "e"]) await plain.set(key, 1);
    const lru = backend.cache<number>("full", { maxEntries: 3 });
    await lru.set("f", 1);
    expect(await sizes(backend, "full")).toEqual({ kept: 3, counted: 3 });
    expect(await lru.getMany(["a", "b", "c", "d", "e", "f"])).toEqual([undefined, undefined, undefined, 1, 1, 1]);
    expect((await lru.stats()).evictions).toBe(3);
  });

  it("a write reads the kept size instead of counting the namespace", async () => {
    await using backend = await openSqliteBackend();
    const lru = backend.cache<number>("trust", { maxEntries: 10 });
    for (const key of ["a", "b", "c"]) await lru.set(key, 1);
    // Skew the counter on purpose: the next write evicts by it, proving no count(*) ran.
    await backend.sql().execute(sql`UPDATE core_cache_sizes SET entries = entries + 8 WHERE ns = ${"trust"}`);
    await lru.set("d", 1);
    expect(await lru.getMany(["a", "b", "c", "d"])).toEqual([undefined, undefined, 1, 1]);
  });
});
