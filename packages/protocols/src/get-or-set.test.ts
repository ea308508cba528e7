import { describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import { getOrSet } from "./get-or-set.js";
import { MapCache } from "./map-cache.fixture.js";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("getOrSet", () => {
  it("returns a cached value without calling the loader, falsy values included", async () => {
    const cache = new MapCache<unknown>("c");
    for (const value of [0, "", false, null]) {
      await cache.set("k", value);
      let calls = 0;
      expect(
        await getOrSet(cache, "k", async () => {
          calls++;
          return "loaded";
        }),
      ).toBe(value);
      expect(calls).toBe(0);
    }
  });

  it("loads, stores with the given TTL and returns on a miss", async () => {
    const cache = new MapCache<string>("c");
    expect(await getOrSet(cache, "k", async () => "v", { ttlMs: 60_000 })).toBe("v");
    expect(await cache.get("k")).toBe("v");
    const left = await cache.ttl("k");
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(60_000);
    await getOrSet(cache, "n", async () => "v");
    expect(await cache.ttl("n")).toBeNull();
  });

  it("calls the loader once for concurrent callers of one key (single flight)", async () => {
    const cache = new MapCache<number>("c");
    const gate = deferred<number>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const waiting = Array.from({ length: 10 }, () => getOrSet(cache, "k", loader));
    const other = getOrSet(cache, "other", async () => 7);
    gate.resolve(42);
    expect(await Promise.all(waiting)).toEqual(Array(10).fill(42));
    expect(await other).toBe(7);
    expect(calls).toBe(1);
    expect(cache.calls.filter((c) => c === "set k")).toHaveLength(1);
  });

  it("keeps flights of different caches apart", async () => {
    const a = new MapCache<string>("a");
    const b = new MapCache<string>("b");
    const [x, y] = await Promise.all([getOrSet(a, "k", async () => "from a"), getOrSet(b, "k", async () => "from b")]);
    expect([x, y]).toEqual(["from a", "from b"]);
  });

  it("does not cache errors: every waiter rejects, the next call loads again", async () => {
    const cache = new MapCache<string>("c");
    const gate = deferred<string>();
    let calls = 0;
    const first = [1, 2, 3].map(() =>
      getOrSet(cache, "k", () => {
        calls++;
        return gate.promise;
      }),
    );
    gate.reject(new Error("db down"));
    for (const p of first) await expect(p).rejects.toThrow("db down");
    expect(await cache.has("k")).toBe(false);
    expect(await getOrSet(cache, "k", async () => "ok")).toBe("ok");
    expect(calls).toBe(1);
  });

  it("returns but does not store undefined from the loader", async () => {
    const cache = new MapCache<string | undefined>("c");
    expect(await getOrSet(cache, "k", async () => undefined)).toBeUndefined();
    expect(await cache.has("k")).toBe(false);
    expect(cache.calls.some((c) => c.startsWith("set"))).toBe(false);
  });

  it("raises failures of the cache itself", async () => {
    const cache = new MapCache<string>("c");
    cache.down = true;
    await expect(getOrSet(cache, "k", async () => "v")).rejects.toMatchObject({ code: "CONNECTION" });
  });

  it("rejects bad arguments before touching the cache", async () => {
    const cache = new MapCache<string>("c");
    const cases: [unknown, unknown, unknown, unknown][] = [
      [cache, "", async () => "v", undefined],
      [cache, 5, async () => "v", undefined],
      [cache, "k", "not a function", undefined],
      [cache, "k", async () => "v", { ttlMs: 0 }],
      [cache, "k", async () => "v", { ttlMs: Number.NaN }],
      [null, "k", async () => "v", undefined],
    ];
    for (const [c, key, loader, options] of cases) {
      const error = await (getOrSet as (...args: unknown[]) => Promise<unknown>)(c, key, loader, options).catch(
        (err: unknown) => err,
      );
      expect(BackendError.is(error, "INVALID_ARGUMENT")).toBe(true);
    }
    expect(cache.calls).toEqual([]);
  });
});
