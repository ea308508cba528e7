import type { Cache } from "@core/protocols";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName, sleep, waitFor } from "../names.js";
import { type CacheContext, expectCode, listKeys } from "./context.js";

/** A sweep interval no test outlives: whatever a test sees, no sweep did it. */
const NO_SWEEP_MS = 600_000;

/** Waits until entries acknowledged at `writtenAt` are past their TTL by the clock (no read, no sweep). */
async function pastTtl(ctx: CacheContext, writtenAt: number): Promise<void> {
  const due = writtenAt + ctx.shortTtl + 20 * ctx.timeScale;
  while (Date.now() <= due) await sleep(due - Date.now() + 1);
}

async function reclaimed(ctx: CacheContext, cache: Cache<unknown>, entries: number, what: string): Promise<void> {
  await waitFor(async () => (await cache.stats()).entries === entries, ctx.waitMs, what);
}

/**
 * Expiry as reads see it before any sweep ran, the sweep as shared namespace state (it
 * restarts after it stopped, survives `clear()` and the close of another handle, and
 * honours the fastest `sweepIntervalMs` asked for), and other state derived from writes:
 * LRU recency refreshed by a write, increment of stored values that are not integers.
 * Timing is only ever asserted as a lower bound (an entry is past its TTL by the clock)
 * or as "eventually, within the suite's generous wait".
 *
 * @example
 * ```ts
 * describe("expiry before the sweep, sweep state", () => registerCacheExpiryState(ctx));
 * ```
 */
export function registerCacheExpiryState(ctx: CacheContext): void {
  test("an entry past its TTL is invisible to every read before any sweep has run", async () => {
    const cache = ctx.cache({ sweepIntervalMs: NO_SWEEP_MS });
    const doomed = ["e-get", "e-many", "e-has", "e-ttl", "e-keys", "e-add", "e-incr", "e-del", "e-delmany"];
    await cache.setMany(doomed.map((key) => ({ key, value: 7, ttlMs: ctx.shortTtl })));
    // Measured once the write is acknowledged: the store applied it (and started the TTL) earlier.
    const writtenAt = Date.now();
    await cache.set("live", "kept");
    await pastTtl(ctx, writtenAt);
    expect(await cache.get("e-get")).toBeUndefined();
    expect(await cache.getMany(["e-many", "live"])).toEqual([undefined, "kept"]);
    expect(await cache.has("e-has")).toBe(false);
    expect(await cache.ttl("e-ttl")).toBeUndefined();
    expect(await listKeys(cache, "e-k*")).toEqual([]);
    expect(await cache.add("e-add", "new")).toBe(true);
    expect(await cache.get("e-add")).toBe("new");
    expect(await cache.increment("e-incr", 2)).toBe(2);
    expect(await cache.delete("e-del")).toBe(false);
    expect(await cache.deleteMany(["e-delmany", "live"])).toBe(1);
  });

  test("stats tells live from expired-but-unswept entries where the store can (live + expired)", async () => {
    const cache = ctx.cache({ sweepIntervalMs: NO_SWEEP_MS });
    await cache.setMany(["x", "y", "z"].map((key) => ({ key, value: 1, ttlMs: ctx.shortTtl })));
    const writtenAt = Date.now();
    await cache.set("live", 1);
    await pastTtl(ctx, writtenAt);
    const stats = await cache.stats();
    if ("expired" in stats) {
      // No read and no sweep touched the three: the store still holds them, past their TTL.
      expect({ live: stats.live, expired: stats.expired }).toEqual({ live: 1, expired: 3 });
      expect([1, 4]).toContain(stats.entries);
    } else {
      // A store that expires natively (redis) cannot tell them apart: entries never undercounts.
      expect(stats.live).toBeUndefined();
      expect(stats.entries).toBeGreaterThanOrEqual(1);
    }
  });

  test("when every entry has a TTL the sweep reclaims them all, and starts again for later writes", async () => {
    const cache = ctx.cache({ sweepIntervalMs: 20 });
    await cache.setMany([
      { key: "a", value: 1, ttlMs: ctx.shortTtl },
      { key: "b", value: 2, ttlMs: 2 * ctx.shortTtl },
    ]);
    await reclaimed(ctx, cache, 0, "the first TTL entries to be swept");
    await cache.set("c", 3, { ttlMs: ctx.shortTtl });
    await cache.add("d", 4, { ttlMs: ctx.shortTtl });
    await reclaimed(ctx, cache, 0, "entries written after the sweep had nothing left to be swept");
  });

  test("entries written after clear() are still reclaimed by the sweep", async () => {
    const cache = ctx.cache({ sweepIntervalMs: 20 });
    await cache.set("before", 1, { ttlMs: 10 * ctx.waitMs });
    expect(await cache.clear()).toBe(1);
    await cache.set("after", 1, { ttlMs: ctx.shortTtl });
    await cache.set("kept", 1);
    await reclaimed(ctx, cache, 1, "the entry written after clear() to be swept");
    expect(await cache.get("kept")).toBe(1);
  });

  test("closing one handle (twice) leaves the sweep of another handle on the same name running", async () => {
    const name = freshName("cache");
    const first = ctx.backend.cache(name, { sweepIntervalMs: 20 });
    const second = ctx.backend.cache(name, { sweepIntervalMs: 20 });
    await second.setMany([
      { key: "a", value: 1, ttlMs: ctx.shortTtl },
      { key: "b", value: 1, ttlMs: ctx.shortTtl },
      { key: "kept", value: 1 },
    ]);
    await first.close();
    await first.close();
    await reclaimed(ctx, second, 1, "the open handle's entries to be swept");
    expect(await second.get("kept")).toBe(1);
    await second.close();
  });

  test("a handle asking for a faster sweep gets it even when a slower handle of the name swept first", async () => {
    const name = freshName("cache");
    const slow = ctx.backend.cache(name, { sweepIntervalMs: NO_SWEEP_MS });
    await slow.set("slow", 1, { ttlMs: ctx.shortTtl });
    const fast = ctx.backend.cache(name, { sweepIntervalMs: 20 });
    await fast.set("fast", 1, { ttlMs: ctx.shortTtl });
    await fast.set("kept", 1);
    await reclaimed(ctx, fast, 1, "the faster sweep to reclaim both entries");
    await slow.close();
    await fast.close();
  });

  test("increment of a stored null, boolean, string or fraction is INVALID_ARGUMENT and leaves it", async () => {
    const cache = ctx.cache();
    const stored: [string, unknown][] = [
      ["null", null],
      ["true", true],
      ["false", false],
      ["text", "5"],
      ["fraction", 1.5],
      ["list", [1]],
    ];
    for (const [key, value] of stored) {
      await cache.set(key, value);
      await expectCode(() => cache.increment(key), "INVALID_ARGUMENT");
      expect(await cache.get(key)).toEqual(value);
    }
  });

  test("more invalid cache options: a codec without decode, a null codec, sweepIntervalMs -1 or text", async () => {
    const bad: unknown[] = [
      { codec: { name: "encode-only", encode: JSON.stringify } },
      { codec: { name: "decode-only", decode: JSON.parse } },
      { codec: null },
      { sweepIntervalMs: -1 },
      { sweepIntervalMs: "10" },
    ];
    for (const options of bad) await expectCode(() => ctx.cache(options as never), "INVALID_ARGUMENT");
  });

  test("a codec whose encode throws a plain Error makes set INVALID_ARGUMENT and writes nothing", async () => {
    const cache = ctx.cache({
      codec: {
        name: "picky",
        encode: (value) => {
          if (value === "bad") throw new Error("cannot encode this");
          return JSON.stringify(value);
        },
        decode: (text) => JSON.parse(text),
      },
    });
    await cache.set("k", "good");
    await expectCode(() => cache.set("k", "bad"), "INVALID_ARGUMENT");
    expect(await cache.get("k")).toBe("good");
  });

  describeCapability(ctx.caps.maxEntries, "maxEntries", () => {
    test("maxEntries: 1 is valid and keeps only the newest entry", async () => {
      const cache = ctx.cache({ maxEntries: 1 });
      await cache.set("a", 1);
      await cache.set("b", 2);
      expect(await cache.getMany(["a", "b"])).toEqual([undefined, 2]);
      expect((await cache.stats()).evictions).toBe(1);
    });

    test("maxEntries: overwriting an entry makes it the most recently used", async () => {
      const cache = ctx.cache({ maxEntries: 2 });
      await cache.set("a", 1);
      await cache.set("b", 2);
      await cache.set("a", 3);
      await cache.set("c", 4);
      expect(await listKeys(cache)).toEqual(["a", "c"]);
      expect(await cache.get("a")).toBe(3);
    });
  });
}
