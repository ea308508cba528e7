import { afterAll, describe, expect, test } from "vitest";
import { openPostgresBackend } from "./index.js";
import { countingPool, dropSchema, POSTGRES_URL, requireServer, testSchema } from "./postgres.fixture.js";

const schema = testSchema();
await requireServer();
afterAll(() => dropSchema(schema));

describe("postgres cache maxEntries", () => {
  test("every write and its eviction are one statement; setMany beyond the limit keeps its newest", async () => {
    const { pool, seen } = countingPool();
    const backend = await openPostgresBackend({ pool, schema });
    try {
      const cache = backend.cache<number>("lru", { maxEntries: 3 });
      const keys = async () => {
        const all: string[] = [];
        for await (const k of cache.keys()) all.push(k);
        return all.sort();
      };
      const step = async (what: string, fn: () => Promise<unknown>, statements: string[]) => {
        const before = seen.statements.length;
        const result = await fn();
        expect(seen.statements.slice(before), what).toEqual(statements);
        return result;
      };
      for (const k of ["a", "b", "c", "d"]) await step(`set ${k}`, () => cache.set(k, 1), ["WITH"]);
      expect(await keys()).toEqual(["b", "c", "d"]);
      expect((await cache.stats()).evictions).toBe(1);
      expect(await step("add existing", () => cache.add("d", 2), ["WITH"])).toBe(false);
      expect(await keys()).toEqual(["b", "c", "d"]);
      expect(await step("add new", () => cache.add("e", 1), ["WITH"])).toBe(true);
      expect(await keys()).toEqual(["c", "d", "e"]);
      expect(await step("increment", () => cache.increment("f", 5), ["WITH"])).toBe(5);
      expect(await keys()).toEqual(["d", "e", "f"]);
      await step(
        "setMany within the limit",
        () =>
          cache.setMany([
            { key: "g", value: 1 },
            { key: "d", value: 2 },
          ]),
        ["WITH"],
      );
      expect(await keys()).toEqual(["d", "f", "g"]);
      const many = ["p", "q", "r", "s", "t"].map((key) => ({ key, value: 1 }));
      await step("setMany beyond the limit", () => cache.setMany(many), ["INSERT", "WITH"]);
      expect(await keys()).toEqual(["r", "s", "t"]);
      expect((await cache.stats()).evictions).toBe(1 + 1 + 1 + 1 + 5);
      // Without maxEntries a write is the bare statement.
      const plain = backend.cache<number>("plain");
      await step("plain set", () => plain.set("a", 1), ["INSERT"]);
    } finally {
      await backend.close();
      await pool.end();
    }
  });
});

describe("postgres cache batches", () => {
  test("setMany without TTLs clears earlier TTLs; getMany reads repeated and escaped keys", async () => {
    const backend = await openPostgresBackend({ connectionString: POSTGRES_URL, schema });
    try {
      const cache = backend.cache<number>("batches");
      await cache.setMany([
        { key: "a", value: 1, ttlMs: 60_000 },
        { key: "b\u0000", value: 2, ttlMs: 60_000 },
      ]);
      expect(await cache.ttl("a")).toBeGreaterThan(0);
      // No entry has a TTL: the batch takes the statement without an expiry array.
      await cache.setMany([
        { key: "a", value: 3 },
        { key: "b\u0000", value: 4 },
        { key: "a", value: 5 },
      ]);
      expect(await cache.ttl("a")).toBeNull();
      expect(await cache.ttl("b\u0000")).toBeNull();
      expect(await cache.getMany(["b\u0000", "a", "x", "a"])).toEqual([4, 5, undefined, 5]);
      expect(await cache.stats()).toMatchObject({ entries: 2, hits: 3, misses: 1 });
    } finally {
      await backend.close();
    }
  });
});
