import { describe, expect, test } from "vitest";
import type { FailOpenOperation } from "../../cache.js";
import { BackendError } from "../../errors.js";
import type { CacheDriver, CacheStore } from "./cache-driver.js";
import { createCache } from "./create-cache.js";
import { FailOpenCache } from "./fail-open-cache.js";

// A Map-backed store whose every call fails with `state.failure` while it is set, as a
// server that went away would; `later` makes every answer a promise.
function flakyDriver(later: boolean) {
  const map = new Map<string, string>();
  const state: { failure: unknown; closed: boolean } = { failure: undefined, closed: false };
  const answer = <T>(value: () => T): T | Promise<T> => {
    if (state.failure !== undefined) {
      if (later) return Promise.reject(state.failure);
      throw state.failure;
    }
    return later ? Promise.resolve(value()) : value();
  };
  const store: CacheStore = {
    counters: { hits: 0, misses: 0, evictions: 0 },
    get: (key) => answer(() => map.get(key)),
    getMany: (keys) => answer(() => keys.map((key) => map.get(key))),
    set: (key, text) => answer(() => map.set(key, text)),
    setMany: (rows) => answer(() => rows.map(([key, text]) => map.set(key, text))),
    add: (key, text) => answer(() => !map.has(key) && Boolean(map.set(key, text))),
    increment: (_key, by) => answer(() => by),
    delete: (key) => answer(() => map.delete(key)),
    deleteMany: (keys) => answer(() => keys.filter((key) => map.delete(key)).length),
    has: (key) => answer(() => map.has(key)),
    ttl: (key) => answer(() => (map.has(key) ? null : undefined)),
    async *keys() {
      if (state.failure !== undefined) throw state.failure;
      yield* map.keys();
    },
    clear: () => answer(() => map.size),
    stats: () => answer(() => ({ entries: map.size })),
    close: () => undefined,
  };
  const driver: CacheDriver = {
    backend: "toy",
    lifecycle: state,
    maxEntries: false,
    sweepIntervalMs: 1000,
    open: () => store,
  };
  return { driver, state, map };
}

describe.each([false, true])("onError: miss over a store answering %s ? with promises : synchronously", (later) => {
  test("an outage answers reads as misses and writes as no-ops, and reports each with its operation", async () => {
    const { driver, state, map } = flakyDriver(later);
    const seen: [string, FailOpenOperation][] = [];
    const cache = createCache<number>(driver, "c", {
      onError: "miss",
      onCacheError: (error, operation) => seen.push([error.code, operation]),
    });
    await cache.set("k", 1);
    state.failure = new Error("connect ECONNREFUSED 127.0.0.1:6379");
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.getMany(["k", "x"])).toEqual([undefined, undefined]);
    expect(await cache.has("k")).toBe(false);
    expect(await cache.ttl("k")).toBeUndefined();
    await cache.set("k", 2);
    await cache.setMany([{ key: "k", value: 3 }]);
    expect(await cache.add("n", 4)).toBe(false);
    expect(await cache.delete("k")).toBe(false);
    expect(await cache.deleteMany(["k"])).toBe(0);
    expect(await cache.clear()).toBe(0);
    expect(seen).toEqual(
      ["get", "getMany", "has", "ttl", "set", "setMany", "add", "delete", "deleteMany", "clear"].map((op) => [
        "CONNECTION",
        op,
      ]),
    );
    // No answer would be honest for these: they still reject.
    await expect(cache.increment("n")).rejects.toMatchObject({ code: "CONNECTION" });
    await expect(cache.stats()).rejects.toMatchObject({ code: "CONNECTION" });
    await expect(cache.keys()[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: "CONNECTION" });
    state.failure = undefined;
    expect(map.get("k")).toBe("1");
    expect(await cache.get("k")).toBe(1);
  });

  test("timeouts, busy and locked stores are outages; corruption, conflicts and bad arguments are not", async () => {
    const { driver, state } = flakyDriver(later);
    const codes: string[] = [];
    const cache = createCache<number>(driver, "c", { onError: "miss", onCacheError: (e) => codes.push(e.code) });
    for (const code of ["TIMEOUT", "SERIALIZATION", "LOCKED"] as const) {
      state.failure = new BackendError(code, "down", { backend: "toy" });
      expect(await cache.get("k")).toBeUndefined();
    }
    expect(codes).toEqual(["TIMEOUT", "SERIALIZATION", "LOCKED"]);
    for (const code of ["CORRUPTION", "CONFLICT", "NOT_SUPPORTED"] as const) {
      state.failure = new BackendError(code, "no", { backend: "toy" });
      await expect(cache.get("k")).rejects.toMatchObject({ code });
    }
    state.failure = new BackendError("TIMEOUT", "down", { backend: "toy" });
    await expect(cache.get(42 as unknown as string)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(cache.set("k", 1, { ttlMs: -1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(cache.set("k", (() => 1) as unknown as number)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    state.closed = true;
    await expect(cache.get("k")).rejects.toMatchObject({ code: "CLOSED" });
    await expect(cache.set("k", 1)).rejects.toMatchObject({ code: "CLOSED" });
    expect(codes).toHaveLength(3);
  });

  test("without a callback an outage is still a miss; a callback that throws rejects the call", async () => {
    const { driver, state } = flakyDriver(later);
    const quiet = createCache<number>(driver, "c", { onError: "miss" });
    state.failure = new Error("socket hang up");
    expect(await quiet.get("k")).toBeUndefined();
    const loud = createCache<number>(driver, "c", {
      onError: "miss",
      onCacheError: () => {
        throw new Error("logger down");
      },
    });
    await expect(loud.get("k")).rejects.toThrow("logger down");
  });
});

test("the default cache is not wrapped; only onError: miss is", () => {
  const { driver } = flakyDriver(false);
  expect(createCache(driver, "c")).not.toBeInstanceOf(FailOpenCache);
  expect(createCache(driver, "c", { onError: "throw" })).not.toBeInstanceOf(FailOpenCache);
  expect(createCache(driver, "c", { onError: "miss" })).toBeInstanceOf(FailOpenCache);
});

test("onError other than throw or miss, a callback that is not a function, or a callback without miss are INVALID_ARGUMENT", () => {
  const { driver } = flakyDriver(false);
  for (const options of [
    { onError: "ignore" },
    { onError: true },
    { onError: "miss", onCacheError: "log" },
    { onCacheError: () => {} },
    { onError: "throw", onCacheError: () => {} },
  ]) {
    expect(() => createCache(driver, "c", options as never)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  }
});
