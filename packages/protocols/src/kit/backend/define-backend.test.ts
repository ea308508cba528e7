import { describe, expect, test } from "vitest";
import { sqliteDialect } from "../../dialects.js";
import { BackendError } from "../../errors.js";
import type { Lifecycle } from "../../lifecycle.js";
import type { SqlDatabase } from "../../sql.js";
import type { CacheDriver, CacheStore } from "../cache/cache-driver.js";
import { defineBackend } from "./define-backend.js";

// A Map-backed cache driver (one per backend object, as a real one is), enough to see the
// backend hand it to createCache.
function mapCacheDriver(lifecycle: Lifecycle): CacheDriver {
  const map = new Map<string, string>();
  const store = {
    counters: { hits: 0, misses: 0, evictions: 0 },
    get: (key: string) => map.get(key),
    set: (key: string, text: string) => void map.set(key, text),
    close: () => {},
  } as unknown as CacheStore;
  return { backend: "toy", lifecycle, maxEntries: false, sweepIntervalMs: 1000, open: () => store };
}

interface ToyState {
  readonly lifecycle: Lifecycle;
  readonly label: string;
  readonly cache: CacheDriver;
  readonly events: string[];
}

function toySetup(lifecycle: Lifecycle, label: string, events: string[] = []): ToyState {
  return { lifecycle, label, cache: mapCacheDriver(lifecycle), events };
}

const fakeSql = { dialect: sqliteDialect } as unknown as SqlDatabase;

class ToyBackend extends defineBackend({
  name: "toy",
  capabilities: { cache: true, sql: true, maxEntries: false },
  setup: toySetup,
  cache: (state) => state.cache,
  sql: (state) => {
    state.events.push("sql built");
    return fakeSql;
  },
  close: (state) => void state.events.push("released"),
  unsupportedHints: { transport: "use a backend with a transport" },
}) {
  get label(): string {
    return this.state.label;
  }
}

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    return (err as BackendError).code;
  }
  return undefined;
}

describe("defineBackend", () => {
  test("builds a Backend: name, frozen filled-in capabilities, the cache through createCache, subclass members", async () => {
    const backend = new ToyBackend("first");
    expect(backend.name).toBe("toy");
    expect(backend.label).toBe("first");
    expect(Object.isFrozen(backend.capabilities)).toBe(true);
    expect(backend.capabilities).toMatchObject({ cache: true, queue: false, sql: true, delivery: "none" });
    await backend.cache<number>("c").set("k", 1);
    // Handles of one name share entries: the driver is the state's, not one per call.
    expect(await backend.cache<number>("c").get("k")).toBe(1);
    await expect(backend.cache("c").set("", 1)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await backend.close();
  });

  test("a protocol without a driver factory is NOT_SUPPORTED, with the definition's hint", async () => {
    const backend = new ToyBackend("x");
    expect(await codeOf(() => backend.queue("q"))).toBe("NOT_SUPPORTED");
    expect(await codeOf(() => backend.records("r"))).toBe("NOT_SUPPORTED");
    expect(() => backend.transport()).toThrow("transport (use a backend with a transport) is not supported");
    await backend.close();
  });

  test("sql() is built once, on first use", async () => {
    const events: string[] = [];
    const backend = new ToyBackend("x", events);
    expect(events).toEqual([]);
    expect(backend.sql()).toBe(fakeSql);
    expect(backend.sql()).toBe(fakeSql);
    expect(events).toEqual(["sql built"]);
    await backend.close();
  });

  test("after close() every protocol method is CLOSED, present or not; close is idempotent", async () => {
    const events: string[] = [];
    const backend = new ToyBackend("x", events);
    await backend.close();
    await backend.close();
    for (const call of [
      () => backend.cache("c"),
      () => backend.queue("q"),
      () => backend.records("r"),
      () => backend.transport(),
      () => backend.sql(),
    ]) {
      expect(await codeOf(call)).toBe("CLOSED");
    }
    expect(events).toEqual(["released"]);
  });

  test("close(state) runs last: after the cleanups of setup and of the stores", async () => {
    const events: string[] = [];
    const Ordered = defineBackend({
      name: "ordered",
      capabilities: {},
      setup: (lifecycle: Lifecycle) => {
        lifecycle.onClose(() => void events.push("setup cleanup"));
        return { lifecycle };
      },
      close: () => void events.push("released"),
    });
    const backend = new Ordered();
    (backend as unknown as { lifecycle: Lifecycle }).lifecycle.onClose(() => void events.push("store cleanup"));
    await backend[Symbol.asyncDispose]();
    expect(events).toEqual(["store cleanup", "setup cleanup", "released"]);
  });

  test("protocols left out of capabilities follow the driver factories", () => {
    const Implied = defineBackend({ name: "implied", setup: toySetup, cache: (state) => state.cache });
    expect(new Implied("x").capabilities).toMatchObject({ cache: true, queue: false, records: false, sql: false });
  });

  test("capabilities may depend on the state", () => {
    const Flexible = defineBackend({
      name: "flexible",
      capabilities: (state: { persistent: boolean }) => ({ persistent: state.persistent }),
      setup: (_lifecycle: Lifecycle, persistent: boolean) => ({ persistent }),
    });
    expect(new Flexible(true).capabilities.persistent).toBe(true);
    expect(new Flexible(false).capabilities.persistent).toBe(false);
  });

  test("a manifest that disagrees with the driver factories is INVALID_ARGUMENT at construction", async () => {
    const Claims = defineBackend({ name: "claims", capabilities: { queue: true }, setup: () => ({}) });
    expect(await codeOf(() => new Claims())).toBe("INVALID_ARGUMENT");
    expect(() => new Claims()).toThrow("capabilities.queue is true but the definition has no queue driver");
    const Hides = defineBackend({
      name: "hides",
      capabilities: { cache: false },
      setup: toySetup,
      cache: (state) => state.cache,
    });
    expect(() => new Hides("x")).toThrow("capabilities.cache is false but the definition has a cache driver");
  });
});
