import { afterEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "./errors.js";
import { MapCache } from "./map-cache.fixture.js";
import { tieredCache } from "./tiered-cache.js";

function setup(options: Parameters<typeof tieredCache>[1] = {}) {
  const l1 = new MapCache<unknown>("l1");
  const l2 = new MapCache<unknown>("l2");
  return { l1, l2, cache: tieredCache([l1, l2], options) };
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out.sort();
}

afterEach(() => {
  vi.useRealTimers();
});

describe("tieredCache", () => {
  it("reads fall through to the lower tier and backfill the upper one", async () => {
    const { l1, l2, cache } = setup();
    await l2.set("k", { a: 1 });
    expect(await cache.get("k")).toEqual({ a: 1 });
    expect(await l1.get("k")).toEqual({ a: 1 });
    l1.calls.length = 0;
    l2.calls.length = 0;
    expect(await cache.get("k")).toEqual({ a: 1 });
    expect(l2.calls).toEqual([]);
  });

  it("a falsy value is a hit in any tier", async () => {
    const { l1, l2, cache } = setup();
    for (const value of [0, "", false, null]) {
      await l1.delete("k");
      await l2.set("k", value);
      expect(await cache.get("k")).toBe(value);
      expect(await l1.has("k")).toBe(true);
      expect(await cache.get("k")).toBe(value);
    }
    expect(await cache.get("missing")).toBeUndefined();
  });

  it("the backfilled TTL never outlives the lower tier's remaining TTL", async () => {
    // Frozen clock: the ms between reading the lower TTL and writing the copy would
    // otherwise push the copy's expiry 1 ms past the source under CPU contention.
    vi.useFakeTimers({ toFake: ["Date"] });
    const l1 = new MapCache<unknown>("l1", 3_600_000);
    const l2 = new MapCache<unknown>("l2");
    const cache = tieredCache([l1, l2]);
    await l2.set("k", "v", { ttlMs: 5_000 });
    const lowerExpiry = l2.expiresAt("k") as number;
    await cache.get("k");
    const upperExpiry = l1.expiresAt("k") as number;
    expect(upperExpiry).toBeLessThanOrEqual(lowerExpiry);
    expect(upperExpiry).toBeGreaterThan(Date.now());
    // No expiry below: the upper tier keeps its own default.
    await l2.set("forever", "v");
    await cache.get("forever");
    expect(l1.expiresAt("forever")).not.toBeNull();
  });

  it("upperTtlRatio gives the backfilled copy that fraction of the lower tier's remaining TTL", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const l1 = new MapCache<unknown>("l1");
    const l2 = new MapCache<unknown>("l2");
    const cache = tieredCache([l1, l2], { upperTtlRatio: 0.25 });
    await l2.set("k", "v", { ttlMs: 8_000 });
    vi.setSystemTime(Date.now() + 2_000); // 6 s left below
    expect(await cache.get("k")).toBe("v");
    expect(await l1.ttl("k")).toBe(1_500);
    await l2.setMany([{ key: "a", value: 1, ttlMs: 4_000 }]);
    expect(await cache.getMany(["a"])).toEqual([1]);
    expect(await l1.ttl("a")).toBe(1_000);
    // A source without expiry: the copy gets no TTL from the ratio either.
    await l2.set("forever", "v");
    await cache.get("forever");
    expect(await l1.ttl("forever")).toBeNull();
    // A tiny remainder still gives a positive TTL.
    await l2.set("tiny", "v", { ttlMs: 2 });
    await cache.get("tiny");
    expect(await l1.ttl("tiny")).toBe(1);
  });

  it("upperTtlRatio outside (0, 1] is INVALID_ARGUMENT", () => {
    for (const bad of [0, -0.5, 1.5, Number.NaN, "0.5"]) {
      expect(() => setup({ upperTtlRatio: bad as number })).toThrow(/upperTtlRatio/);
    }
    expect(() => setup({ upperTtlRatio: 1 })).not.toThrow();
  });

  it("getMany falls through per key, keeps order and backfills", async () => {
    const { l1, l2, cache } = setup();
    await l1.set("a", 1);
    await l2.set("b", 2);
    await l2.set("c", 0);
    expect(await cache.getMany(["a", "b", "x", "c", "b"])).toEqual([1, 2, undefined, 0, 2]);
    expect(await l1.getMany(["b", "c"])).toEqual([2, 0]);
    expect(await cache.getMany([])).toEqual([]);
  });

  it("writes and deletes go to every tier", async () => {
    const { l1, l2, cache } = setup();
    await cache.set("k", "v", { ttlMs: 60_000 });
    expect([await l1.get("k"), await l2.get("k")]).toEqual(["v", "v"]);
    expect(await l2.ttl("k")).toBeGreaterThan(0);
    await cache.setMany([
      { key: "a", value: 1 },
      { key: "b", value: 2 },
    ]);
    expect(await l1.getMany(["a", "b"])).toEqual([1, 2]);
    expect(await l2.getMany(["a", "b"])).toEqual([1, 2]);
    expect(await cache.delete("k")).toBe(true);
    expect(await cache.delete("k")).toBe(false);
    expect([await l1.has("k"), await l2.has("k")]).toEqual([false, false]);
    expect(await cache.deleteMany(["a", "b", "zz"])).toBe(2);
    expect([await l1.has("a"), await l2.has("b")]).toEqual([false, false]);
    await cache.set("x", 1);
    expect(await cache.clear()).toBe(1);
    expect((await l1.stats()).entries + (await l2.stats()).entries).toBe(0);
  });

  it("add decides on the lowest tier and copies a success upwards", async () => {
    const { l1, l2, cache } = setup();
    await l2.set("taken", "old");
    expect(await cache.add("taken", "new")).toBe(false);
    expect(await l1.has("taken")).toBe(false);
    expect(await cache.add("free", "new")).toBe(true);
    expect([await l1.get("free"), await l2.get("free")]).toEqual(["new", "new"]);
  });

  it("add copies a success upwards without outliving the lower tier's default TTL", async () => {
    // Frozen clock: the ms between reading the lower TTL and writing the copy would
    // otherwise push the copy's expiry 1 ms past the source under CPU contention.
    vi.useFakeTimers({ toFake: ["Date"] });
    const l1 = new MapCache<unknown>("l1");
    const l2 = new MapCache<unknown>("l2", 5_000);
    const cache = tieredCache([l1, l2]);
    expect(await cache.add("k", "v")).toBe(true);
    const lowerExpiry = l2.expiresAt("k") as number;
    const upperExpiry = l1.expiresAt("k");
    expect(upperExpiry).not.toBeNull();
    expect(upperExpiry as number).toBeLessThanOrEqual(lowerExpiry);
    expect(await l1.get("k")).toBe("v");
  });

  it("increment counts on the lowest tier and evicts stale copies above", async () => {
    const { l1, l2, cache } = setup();
    await cache.set("n", 5);
    expect(await cache.increment("n")).toBe(6);
    expect(await l1.has("n")).toBe(false);
    expect(await l2.get("n")).toBe(6);
    expect(await cache.get("n")).toBe(6);
    expect(await cache.increment("n", -10)).toBe(-4);
    await expect(cache.increment("n", 1.5)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("has and ttl fall through; keys lists the lowest tier; stats count hits", async () => {
    const { l1, l2, cache } = setup();
    await l2.set("user:1", 1, { ttlMs: 60_000 });
    await l2.set("user:2", 2);
    await l2.set("item:1", 3);
    await l1.set("only-up", 4);
    expect(await cache.has("user:1")).toBe(true);
    expect(await cache.has("only-up")).toBe(true);
    expect(await cache.has("nope")).toBe(false);
    expect(await cache.ttl("user:1")).toBeGreaterThan(0);
    expect(await cache.ttl("user:2")).toBeNull();
    expect(await cache.ttl("nope")).toBeUndefined();
    expect(await collect(cache.keys({ match: "user:*" }))).toEqual(["user:1", "user:2"]);
    await cache.get("user:1");
    await cache.get("nope");
    const stats = await cache.stats();
    expect(stats).toMatchObject({ hits: 1, misses: 1, entries: 3, evictions: 0 });
  });

  it("a failing tier raises by default", async () => {
    const { l2, cache } = setup();
    l2.down = true;
    await expect(cache.get("k")).rejects.toMatchObject({ code: "CONNECTION" });
    await expect(cache.set("k", 1)).rejects.toMatchObject({ code: "CONNECTION" });
    await expect(cache.increment("k")).rejects.toMatchObject({ code: "CONNECTION" });
  });

  it("with failOpen a failing tier is reported and treated as a miss", async () => {
    const errors: [string, number][] = [];
    const { l1, l2, cache } = setup({
      failOpen: true,
      onError: (err, tier) => errors.push([(err as BackendError).code, tier]),
    });
    await cache.set("k", "v");
    l2.down = true;
    expect(await cache.get("k")).toBe("v");
    expect(await cache.get("missing")).toBeUndefined();
    expect(errors).toEqual([["CONNECTION", 1]]);
    await cache.set("k2", "v2");
    expect(await l1.get("k2")).toBe("v2");
    expect(await cache.add("k3", 1)).toBe(true);
    expect(await cache.increment("k3")).toBe(2);
    expect(await cache.getMany(["k", "zz"])).toEqual(["v", undefined]);
    l1.down = true;
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.has("k")).toBe(false);
    expect(errors.length).toBeGreaterThan(5);
  });

  it("failOpen never swallows INVALID_ARGUMENT", async () => {
    const { cache } = setup({ failOpen: true, onError: () => {} });
    await expect(cache.get("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(cache.set("k", 1, { ttlMs: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(cache.getMany("k" as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("rejects with CLOSED after close, leaving the tiers open", async () => {
    const { l1, cache } = setup();
    await cache.close();
    await cache.close();
    await expect(cache.get("k")).rejects.toMatchObject({ code: "CLOSED" });
    await expect(cache.set("k", 1)).rejects.toMatchObject({ code: "CLOSED" });
    await expect(collect(cache.keys())).rejects.toMatchObject({ code: "CLOSED" });
    await l1.set("k", 1);
    expect(await l1.get("k")).toBe(1);
  });

  it("validates its tiers and names itself after them", () => {
    expect(() => tieredCache([])).toThrow(BackendError);
    expect(() => tieredCache([{} as never])).toThrow(BackendError);
    expect(tieredCache([new MapCache("a"), new MapCache("b")]).name).toBe("a+b");
    expect(tieredCache([new MapCache("a")], { name: "users" }).name).toBe("users");
  });
});
