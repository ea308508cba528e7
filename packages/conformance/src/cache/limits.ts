import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { type CacheContext, expectCode } from "./context.js";

/**
 * `maxEntries` LRU eviction (or NOT_SUPPORTED without `capabilities.maxEntries`) and the
 * validation of cache options.
 *
 * @example
 * ```ts
 * describe("limits and options", () => registerCacheLimits(ctx));
 * ```
 */
export function registerCacheLimits(ctx: CacheContext): void {
  describeCapability(ctx.caps.maxEntries, "maxEntries", () => {
    test("maxEntries evicts the least recently used entry and counts it", async () => {
      const cache = ctx.cache({ maxEntries: 3 });
      await cache.set("a", 1);
      await cache.set("b", 2);
      await cache.set("c", 3);
      expect(await cache.get("a")).toBe(1); // a is now more recent than b
      await cache.set("d", 4);
      expect((await cache.stats()).entries).toBe(3);
      expect(await cache.get("b")).toBeUndefined();
      expect(await cache.getMany(["a", "c", "d"])).toEqual([1, 3, 4]);
      expect((await cache.stats()).evictions).toBe(1);
    });

    test("maxEntries: replacing an entry evicts nothing; every kind of write can evict", async () => {
      const cache = ctx.cache({ maxEntries: 2 });
      await cache.set("a", 1);
      await cache.set("b", 2);
      await cache.set("a", 10);
      await cache.set("b", 20);
      expect((await cache.stats()).evictions).toBe(0);
      expect(await cache.add("c", 3)).toBe(true); // evicts a
      expect(await cache.increment("d")).toBe(1); // evicts b
      await cache.setMany([{ key: "e", value: 5 }]); // evicts c
      const stats = await cache.stats();
      expect(stats.entries).toBe(2);
      expect(stats.evictions).toBe(3);
      expect(await cache.getMany(["a", "b", "c", "d", "e"])).toEqual([undefined, undefined, undefined, 1, 5]);
    });

    test("maxEntries must be a positive integer", async () => {
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10"]) {
        await expectCode(() => ctx.cache({ maxEntries: bad as number }), "INVALID_ARGUMENT");
      }
    });
  });
  if (!ctx.caps.maxEntries) {
    test("maxEntries is NOT_SUPPORTED without capabilities.maxEntries", async () => {
      await expectCode(() => ctx.cache({ maxEntries: 10 }), "NOT_SUPPORTED");
    });
  }

  test("invalid cache options are INVALID_ARGUMENT from backend.cache()", async () => {
    const bad: unknown[] = [
      { defaultTtlMs: 0 },
      { defaultTtlMs: -5 },
      { sweepIntervalMs: 0 },
      { sweepIntervalMs: Number.NaN },
      { codec: { name: "broken" } },
      "not an object",
    ];
    for (const options of bad) await expectCode(() => ctx.cache(options as never), "INVALID_ARGUMENT");
  });

  test("set and add with options that are not an object are INVALID_ARGUMENT and write nothing", async () => {
    const cache = ctx.cache();
    for (const options of ["ttl", 5, [1]]) {
      await expectCode(() => cache.set("k", 1, options as never), "INVALID_ARGUMENT");
      await expectCode(() => cache.add("k", 1, options as never), "INVALID_ARGUMENT");
    }
    expect(await cache.has("k")).toBe(false);
  });

  test("a cache accepts a custom codec", async () => {
    const seen: string[] = [];
    const cache = ctx.cache({
      codec: {
        name: "json-spy",
        encode: (value) => {
          const text = JSON.stringify(value);
          seen.push(text);
          return text;
        },
        decode: (text) => JSON.parse(text),
      },
    });
    await cache.set("k", { a: [1, "x"] });
    expect(await cache.get("k")).toEqual({ a: [1, "x"] });
    expect(seen).toContain('{"a":[1,"x"]}');
  });
}
