import type { Backend, Cache } from "@core/protocols";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { type CacheContext, expectCode, listKeys } from "./context.js";

// Every method of a cache, called with valid arguments.
function everyCall(cache: Cache<unknown>): [string, () => unknown][] {
  return [
    ["get", () => cache.get("k")],
    ["getMany", () => cache.getMany(["k"])],
    ["set", () => cache.set("k", 1)],
    ["setMany", () => cache.setMany([{ key: "k", value: 1 }])],
    ["add", () => cache.add("k", 1)],
    ["increment", () => cache.increment("n")],
    ["delete", () => cache.delete("k")],
    ["deleteMany", () => cache.deleteMany(["k"])],
    ["has", () => cache.has("k")],
    ["ttl", () => cache.ttl("k")],
    ["keys", () => listKeys(cache)],
    ["clear", () => cache.clear()],
    ["stats", () => cache.stats()],
  ];
}

// Every method of a cache, called with arguments that are invalid as well.
function everyInvalidCall(cache: Cache<unknown>): [string, () => unknown][] {
  const bad = 42 as unknown as string;
  return [
    ["get", () => cache.get(bad)],
    ["getMany", () => cache.getMany(bad as unknown as string[])],
    ["set", () => cache.set(bad, 1, { ttlMs: -1 })],
    ["setMany", () => cache.setMany(bad as never)],
    ["add", () => cache.add(bad, () => 1)],
    ["increment", () => cache.increment("n", 1.5)],
    ["delete", () => cache.delete("")],
    ["deleteMany", () => cache.deleteMany([bad])],
    ["has", () => cache.has(bad)],
    ["ttl", () => cache.ttl(bad)],
    ["keys", () => listKeys(cache, bad)],
  ];
}

async function expectClosedForEvery(calls: [string, () => unknown][]): Promise<void> {
  for (const [method, call] of calls) {
    try {
      await expectCode(call, "CLOSED");
    } catch (err) {
      throw new Error(`${method}: ${(err as Error).message}`);
    }
  }
}

/**
 * close(): idempotent, waits for in-flight work, CLOSED afterwards; data surviving a
 * reopen when the backend is persistent.
 *
 * @example
 * ```ts
 * describe("close and persistence", () => registerCacheLifecycle(ctx));
 * ```
 */
export function registerCacheLifecycle(ctx: CacheContext): void {
  test("after backend.close() every cache method rejects with CLOSED", async () => {
    const backend: Backend = await ctx.options.open();
    const cache = backend.cache(freshName("cache"));
    await cache.set("k", 1);
    const inFlight = cache.set("during-close", 2);
    await backend.close();
    await inFlight; // close waits for work already started
    await backend.close(); // idempotent
    await expectClosedForEvery(everyCall(cache));
    await expectCode(() => backend.cache(freshName("cache")), "CLOSED");
  });

  test("a closed cache answers CLOSED before it looks at the arguments", async () => {
    const backend: Backend = await ctx.options.open();
    const handle = backend.cache(freshName("cache"));
    await handle.close();
    await expectClosedForEvery(everyInvalidCall(handle));
    await expectClosedForEvery(everyCall(handle));
    const cache = backend.cache(freshName("cache"));
    await backend.close();
    await expectClosedForEvery(everyInvalidCall(cache));
  });

  test("cache.close() is idempotent and backend.close() still works afterwards", async () => {
    const backend: Backend = await ctx.options.open();
    try {
      const cache = backend.cache(freshName("cache"), { sweepIntervalMs: 20 });
      await cache.set("k", 1);
      await cache.close();
      await cache.close();
      const other = backend.cache(freshName("cache"));
      await other.set("k", 2);
      expect(await other.get("k")).toBe(2);
    } finally {
      await backend.close();
    }
  });

  test("Symbol.asyncDispose closes the backend", async () => {
    const backend: Backend = await ctx.options.open();
    const cache = backend.cache(freshName("cache"));
    await backend[Symbol.asyncDispose]();
    await expectCode(() => cache.get("k"), "CLOSED");
  });

  describeCapability(ctx.caps.persistent, "persistent", () => {
    test("data and TTLs survive closing and reopening (persistent)", async () => {
      const name = freshName("cache");
      const first: Backend = await ctx.options.open();
      const cache = first.cache(name);
      await cache.set("forever", { n: 1, when: new Date(5) });
      await cache.set("timed", "t", { ttlMs: 60_000 });
      await cache.increment("counter", 7);
      await first.close();
      const second: Backend = await ctx.options.open();
      try {
        const again = second.cache(name);
        expect(await again.get("forever")).toEqual({ n: 1, when: new Date(5) });
        expect(await again.get("timed")).toBe("t");
        const left = await again.ttl("timed");
        expect(typeof left).toBe("number");
        expect(left as number).toBeLessThanOrEqual(60_000);
        expect(await again.ttl("forever")).toBeNull();
        expect(await again.increment("counter")).toBe(8);
        expect(await listKeys(again)).toEqual(["counter", "forever", "timed"]);
        await again.clear();
      } finally {
        await second.close();
      }
    });
  });
}
