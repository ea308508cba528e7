import type { Cache } from "@core/protocols";
import { expect, test } from "vitest";
import { waitFor } from "../names.js";
import { type CacheContext, expectCode, listKeys } from "./context.js";

const LONG = 60_000;

/**
 * A TTL that must outlive the few statements a test runs before it waits for expiry: the
 * 40 ms `shortTtl` ran out between two statements on a loaded 2-core CI machine.
 */
function settleTtl(ctx: CacheContext): number {
  return 600 * ctx.timeScale;
}

async function expectTtlWithin(cache: Cache<unknown>, key: string, max: number, min = 0): Promise<void> {
  const left = await cache.ttl(key);
  expect(typeof left, `ttl(${key}) = ${left}`).toBe("number");
  expect(left as number).toBeGreaterThan(min);
  expect(left as number).toBeLessThanOrEqual(max);
}

/** Sets `probe` with `ttlMs` and waits until the store reports it gone. */
async function expireProbe(ctx: CacheContext, cache: Cache<unknown>, ttlMs = ctx.shortTtl): Promise<void> {
  await cache.set("probe", 1, { ttlMs });
  await waitFor(async () => (await cache.get("probe")) === undefined, ctx.waitMs, "the probe entry to expire");
}

/**
 * TTLs: remaining time, replacement, expiry seen by every read, reclamation, defaults and
 * invalid TTLs.
 *
 * @example
 * ```ts
 * describe("ttl", () => registerCacheTtl(ctx));
 * ```
 */
export function registerCacheTtl(ctx: CacheContext): void {
  test("ttl() is the ms left, null without expiry, undefined when missing", async () => {
    const cache = ctx.cache();
    await cache.set("timed", "v", { ttlMs: LONG });
    await cache.set("forever", "v");
    await expectTtlWithin(cache, "timed", LONG);
    expect(await cache.ttl("forever")).toBeNull();
    expect(await cache.ttl("missing")).toBeUndefined();
    await cache.setMany([
      { key: "m1", value: 1, ttlMs: LONG },
      { key: "m2", value: 2 },
    ]);
    await expectTtlWithin(cache, "m1", LONG);
    expect(await cache.ttl("m2")).toBeNull();
    expect(await cache.add("a1", 1, { ttlMs: LONG })).toBe(true);
    await expectTtlWithin(cache, "a1", LONG);
  });

  test("set replaces the TTL too", async () => {
    const cache = ctx.cache();
    await cache.set("k", 1, { ttlMs: LONG });
    await cache.set("k", 2);
    expect(await cache.ttl("k")).toBeNull();
    await cache.set("k", 3, { ttlMs: LONG });
    await expectTtlWithin(cache, "k", LONG);
    await cache.set("short-then-long", 1, { ttlMs: ctx.shortTtl });
    await cache.set("short-then-long", 2, { ttlMs: LONG });
    await cache.set("short-then-none", 1, { ttlMs: ctx.shortTtl });
    await cache.set("short-then-none", 2);
    await expireProbe(ctx, cache);
    expect(await cache.getMany(["short-then-long", "short-then-none"])).toEqual([2, 2]);
  });

  test("an expired entry is invisible to get, getMany, has, ttl and keys", async () => {
    const cache = ctx.cache();
    const doomed = ["e-get", "e-many", "e-has", "e-ttl", "e-keys"];
    await cache.setMany(doomed.map((key) => ({ key, value: key, ttlMs: ctx.shortTtl })));
    await cache.set("live", "kept");
    await cache.set("live-timed", "kept", { ttlMs: LONG });
    await expireProbe(ctx, cache);
    expect(await cache.get("e-get")).toBeUndefined();
    expect(await cache.getMany(["e-many", "live", "e-many"])).toEqual([undefined, "kept", undefined]);
    expect(await cache.has("e-has")).toBe(false);
    expect(await cache.ttl("e-ttl")).toBeUndefined();
    expect(await listKeys(cache)).toEqual(["live", "live-timed"]);
    expect(await listKeys(cache, "e-*")).toEqual([]);
    expect(await cache.get("live-timed")).toBe("kept");
  });

  test("add treats an expired entry as absent; increment restarts from 0; delete finds nothing", async () => {
    const cache = ctx.cache();
    const ttlMs = settleTtl(ctx);
    await cache.setMany([
      { key: "e-add", value: "old", ttlMs },
      { key: "e-incr", value: 41, ttlMs },
      { key: "e-del", value: 1, ttlMs },
    ]);
    expect(await cache.add("e-add", "blocked")).toBe(false);
    await expireProbe(ctx, cache, ttlMs);
    expect(await cache.add("e-add", "new")).toBe(true);
    expect(await cache.get("e-add")).toBe("new");
    expect(await cache.ttl("e-add")).toBeNull();
    expect(await cache.increment("e-incr")).toBe(1);
    expect(await cache.ttl("e-incr")).toBeNull();
    expect(await cache.delete("e-del")).toBe(false);
  });

  test("expired entries are reclaimed by the sweep without any read", async () => {
    const cache = ctx.cache({ sweepIntervalMs: 20 });
    await cache.setMany([
      { key: "a", value: 1, ttlMs: ctx.shortTtl },
      { key: "b", value: 2, ttlMs: ctx.shortTtl },
      { key: "c", value: 3, ttlMs: ctx.shortTtl },
      { key: "kept", value: 4 },
    ]);
    await waitFor(async () => (await cache.stats()).entries === 1, ctx.waitMs, "stats().entries to drop to 1");
    expect(await cache.get("kept")).toBe(4);
  });

  test("defaultTtlMs applies to writes without a TTL; an explicit TTL overrides it", async () => {
    const cache = ctx.cache({ defaultTtlMs: LONG });
    await cache.set("default", 1);
    await cache.setMany([{ key: "many", value: 1 }]);
    await cache.add("added", 1);
    await cache.increment("counted");
    for (const key of ["default", "many", "added", "counted"]) await expectTtlWithin(cache, key, LONG);
    await cache.set("explicit", 1, { ttlMs: 10 * LONG });
    await expectTtlWithin(cache, "explicit", 10 * LONG, LONG);
  });

  test("entries written under a short defaultTtlMs expire", async () => {
    const cache = ctx.cache({ defaultTtlMs: ctx.shortTtl });
    await cache.set("k", "v");
    await cache.increment("n");
    // "n" is written after "k", so under load it may outlive "k" by a little: wait for both.
    await waitFor(async () => !(await cache.has("k")), ctx.waitMs, "the default TTL to expire the entry");
    await waitFor(
      async () => (await cache.get("n")) === undefined,
      ctx.waitMs,
      "the default TTL to expire the counter",
    );
    expect(await cache.ttl("k")).toBeUndefined();
  });

  test("increment keeps the TTL of an existing entry", async () => {
    const cache = ctx.cache();
    await cache.set("timed", 1, { ttlMs: LONG });
    await cache.set("forever", 1);
    expect(await cache.increment("timed")).toBe(2);
    expect(await cache.increment("forever")).toBe(2);
    await expectTtlWithin(cache, "timed", LONG);
    expect(await cache.ttl("forever")).toBeNull();
    await cache.set("short", 10, { ttlMs: settleTtl(ctx) });
    expect(await cache.increment("short", 5)).toBe(15);
    await waitFor(async () => !(await cache.has("short")), ctx.waitMs, "the incremented entry to expire");
  });

  const invalidTtls: [string, unknown][] = [
    ["0", 0],
    ["-1", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ['"10"', "10"],
  ];
  test.each(invalidTtls)("a TTL of %s is INVALID_ARGUMENT and nothing is written", async (_label, ttlMs) => {
    const cache = ctx.cache();
    await cache.set("existing", "old", { ttlMs: LONG });
    const bad = { ttlMs: ttlMs as number };
    await expectCode(() => cache.set("k", 1, bad), "INVALID_ARGUMENT");
    await expectCode(() => cache.set("existing", "new", bad), "INVALID_ARGUMENT");
    await expectCode(() => cache.add("k", 1, bad), "INVALID_ARGUMENT");
    await expectCode(
      () =>
        cache.setMany([
          { key: "good", value: 1 },
          { key: "k", value: 1, ttlMs: ttlMs as number },
        ]),
      "INVALID_ARGUMENT",
    );
    expect(await cache.getMany(["k", "good", "existing"])).toEqual([undefined, undefined, "old"]);
    await expectTtlWithin(cache, "existing", LONG);
    await expectCode(() => ctx.cache({ defaultTtlMs: ttlMs as number }), "INVALID_ARGUMENT");
  });
}
