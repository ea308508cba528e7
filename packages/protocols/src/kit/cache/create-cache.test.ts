import { describe, expect, test } from "vitest";
import { BackendError } from "../../errors.js";
import type { CacheDriver, CacheRow, CacheStore } from "./cache-driver.js";
import { createCache } from "./create-cache.js";

// A Map-backed store without TTLs, to exercise the layer; `later` makes every answer a promise.
function mapDriver(later: boolean, fail?: unknown) {
  const map = new Map<string, string>();
  const life = { closed: false };
  const calls: string[] = [];
  const answer = <T>(value: T): T | Promise<T> => {
    if (fail !== undefined) throw fail;
    return later ? Promise.resolve(value) : value;
  };
  const store: CacheStore = {
    counters: { hits: 0, misses: 0, evictions: 0 },
    get: (key) => answer(map.get(key)),
    getMany: (keys) => answer(keys.map((key) => map.get(key))),
    set: (key, text) => answer(void map.set(key, text)),
    setMany: (rows: readonly CacheRow[]) => {
      for (const [key, text] of rows) map.set(key, text);
      return answer(undefined);
    },
    add: (key, text) => answer(!map.has(key) && Boolean(map.set(key, text))),
    increment: (key, by) => {
      const next = Number(map.get(key) ?? 0) + by;
      map.set(key, String(next));
      return answer(next);
    },
    delete: (key) => answer(map.delete(key)),
    deleteMany: (keys) => {
      calls.push(`deleteMany ${keys.join(",")}`);
      return answer(keys.filter((key) => map.delete(key)).length);
    },
    has: (key) => answer(map.has(key)),
    ttl: (key) => answer(map.has(key) ? null : undefined),
    keys: (prefix) => {
      calls.push(`keys ${JSON.stringify(prefix)}`);
      return [...map.keys()];
    },
    clear: () => {
      const size = map.size;
      map.clear();
      return answer(size);
    },
    stats: () => answer({ entries: map.size, own: 7 }),
    close: () => void calls.push("close"),
  };
  const driver: CacheDriver = {
    backend: "toy",
    lifecycle: life,
    maxEntries: false,
    sweepIntervalMs: 1000,
    open: () => store,
  };
  return { driver, life, calls, map };
}

describe.each([false, true])("createCache over a store answering %s ? with promises : synchronously", (later) => {
  test("encodes, decodes, counts hits and misses, adds the store's stats", async () => {
    const { driver, map } = mapDriver(later);
    const cache = createCache<{ a: number }>(driver, "c");
    await cache.set("k", { a: 1 });
    expect(map.get("k")).toBe('{"a":1}');
    expect(await cache.get("k")).toEqual({ a: 1 });
    expect(await cache.getMany(["k", "x"])).toEqual([{ a: 1 }, undefined]);
    expect(await cache.stats()).toEqual({ entries: 1, own: 7, hits: 2, misses: 1, evictions: 0 });
  });

  test("deleteMany gives the store distinct keys; keys filters by the glob the store narrowed", async () => {
    const { driver, calls } = mapDriver(later);
    const cache = createCache<number>(driver, "c");
    await cache.setMany([
      { key: "user:1", value: 1 },
      { key: "user:2", value: 2 },
      { key: "team:1", value: 3 },
    ]);
    const keys: string[] = [];
    for await (const key of cache.keys({ match: "user:?" })) keys.push(key);
    expect(keys).toEqual(["user:1", "user:2"]);
    expect(await cache.deleteMany(["user:1", "user:1", "team:1"])).toBe(2);
    expect(calls).toEqual(['keys "user:"', "deleteMany user:1,team:1"]);
  });

  test("a failure that is not a BackendError becomes CONNECTION of the backend, redacted, cause kept", async () => {
    const cause = new Error("connect ECONNREFUSED postgres://ada:secret@db:5432/x");
    const { driver } = mapDriver(later, cause);
    const cache = createCache(driver, "c");
    const error = (await cache.get("k").catch((err: unknown) => err)) as BackendError;
    expect(BackendError.is(error, "CONNECTION")).toBe(true);
    expect(error.backend).toBe("toy");
    expect(error.message).not.toContain("secret");
    expect(error.cause).toBe(cause);
  });

  test("CLOSED comes before any argument check, after the handle's or the backend's close", async () => {
    const { driver, life, calls } = mapDriver(later);
    const handle = createCache(driver, "c");
    await handle.close();
    await handle.close();
    expect(calls).toEqual(["close"]);
    await expect(handle.get(42 as unknown as string)).rejects.toMatchObject({ code: "CLOSED" });
    const cache = createCache(driver, "c");
    life.closed = true;
    await expect(cache.set("", 1, { ttlMs: -1 })).rejects.toMatchObject({ code: "CLOSED" });
    await expect(
      cache
        .keys({ match: 1 as unknown as string })
        [Symbol.asyncIterator]()
        .next(),
    ).rejects.toMatchObject({
      code: "CLOSED",
    });
  });
});

test("maxEntries on a driver without native LRU is NOT_SUPPORTED; bad options are INVALID_ARGUMENT", () => {
  const { driver } = mapDriver(false);
  expect(() => createCache(driver, "c", { maxEntries: 10 })).toThrow(/not supported/);
  expect(() => createCache(driver, "c", { sweepIntervalMs: 0 })).toThrow(/sweepIntervalMs/);
  expect(() => createCache(driver, "", {})).toThrow(BackendError);
});
