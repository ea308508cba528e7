import type { Backend, Cache } from "@core/protocols";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { type CacheContext, expectCode } from "./context.js";

/** Runs 50 increments and 20 adds spread over `handles`, all at once. */
async function race(handles: Cache<unknown>[]): Promise<void> {
  const pick = (i: number) => handles[i % handles.length] as Cache<unknown>;
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => pick(i).increment("counter")));
  expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  expect(await pick(1).get("counter")).toBe(50);

  const added = await Promise.all(Array.from({ length: 20 }, (_, i) => pick(i).add("lock", `owner-${i}`)));
  const winners = added.flatMap((won, i) => (won ? [i] : []));
  expect(winners).toHaveLength(1);
  expect(await pick(0).get("lock")).toBe(`owner-${winners[0]}`);
}

/**
 * add and increment: semantics, bad input, and atomicity under concurrency.
 *
 * @example
 * ```ts
 * describe("add and increment", () => registerCacheAtomic(ctx));
 * ```
 */
export function registerCacheAtomic(ctx: CacheContext): void {
  test("add writes only when the key is absent", async () => {
    const cache = ctx.cache();
    expect(await cache.add("k", "first")).toBe(true);
    expect(await cache.add("k", "second")).toBe(false);
    expect(await cache.get("k")).toBe("first");
    await cache.set("falsy", 0);
    expect(await cache.add("falsy", 1)).toBe(false);
    expect(await cache.get("falsy")).toBe(0);
    await cache.delete("k");
    expect(await cache.add("k", "third")).toBe(true);
    expect(await cache.get("k")).toBe("third");
  });

  test("increment counts from 0 for a missing key, by 1 or by any safe integer", async () => {
    const cache = ctx.cache();
    expect(await cache.increment("n")).toBe(1);
    expect(await cache.increment("n")).toBe(2);
    expect(await cache.increment("n", 10)).toBe(12);
    expect(await cache.increment("n", -20)).toBe(-8);
    expect(await cache.increment("n", 0)).toBe(-8);
    expect(await cache.get("n")).toBe(-8);
    expect(await cache.increment("fresh", -3)).toBe(-3);
    await cache.set("stored", 100);
    expect(await cache.increment("stored", 5)).toBe(105);
    expect(await cache.get("stored")).toBe(105);
  });

  const notIntegers: [string, unknown][] = [
    ["a string", "x"],
    ["a numeric string", "5"],
    ["a float", 1.5],
    ["null", null],
    ["an object", { n: 1 }],
    ["a boolean", true],
  ];
  test.each(notIntegers)("increment of %s is INVALID_ARGUMENT and leaves it unchanged", async (_label, value) => {
    const cache = ctx.cache();
    await cache.set("k", value);
    await expectCode(() => cache.increment("k"), "INVALID_ARGUMENT");
    expect(await cache.get("k")).toEqual(value);
  });

  test("increment by something other than a safe integer is INVALID_ARGUMENT, nothing written", async () => {
    const cache = ctx.cache();
    await cache.set("n", 5);
    for (const by of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "1", null, 1n]) {
      await expectCode(() => cache.increment("n", by as number), "INVALID_ARGUMENT");
      await expectCode(() => cache.increment("missing", by as number), "INVALID_ARGUMENT");
    }
    expect(await cache.get("n")).toBe(5);
    expect(await cache.has("missing")).toBe(false);
  });

  test("increment whose result leaves the safe-integer range is INVALID_ARGUMENT, value unchanged", async () => {
    const cache = ctx.cache();
    await cache.set("n", 41);
    await expectCode(() => cache.increment("n", Number.MAX_SAFE_INTEGER), "INVALID_ARGUMENT");
    expect(await cache.get("n")).toBe(41);
    await cache.set("low", -41);
    await expectCode(() => cache.increment("low", -Number.MAX_SAFE_INTEGER), "INVALID_ARGUMENT");
    expect(await cache.get("low")).toBe(-41);
    await cache.set("top", Number.MAX_SAFE_INTEGER - 1);
    expect(await cache.increment("top")).toBe(Number.MAX_SAFE_INTEGER);
    await expectCode(() => cache.increment("top"), "INVALID_ARGUMENT");
    expect(await cache.get("top")).toBe(Number.MAX_SAFE_INTEGER);
  });

  test("50 concurrent increments give 50; of 20 concurrent adds exactly one wins", async () => {
    await race([ctx.cache()]);
  });

  test("add and increment are atomic across two handles of one store", async () => {
    const name = freshName("cache");
    await race([ctx.backend.cache(name), ctx.backend.cache(name)]);
  });

  describeCapability(ctx.caps.crossProcess, "crossProcess", () => {
    test("add and increment are atomic across two clients (crossProcess)", async () => {
      const second: Backend = await ctx.options.open();
      try {
        const name = freshName("cache");
        await race([ctx.backend.cache(name), second.cache(name)]);
        await ctx.backend.cache(name).set("from-first", 1);
        expect(await second.cache(name).get("from-first")).toBe(1);
      } finally {
        await second.close();
      }
    });
  });
}
