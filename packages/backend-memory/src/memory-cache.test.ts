import { describeCacheConformance, waitFor } from "@core/conformance";
import { BackendError, type Codec } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { openMemoryBackend } from "./index.js";

describeCacheConformance({ name: "memory", open: () => openMemoryBackend() });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return BackendError.is(err) ? err.code : `not a BackendError: ${String(err)}`;
  }
  return undefined;
}

describe("memory cache specifics", () => {
  it("the backend's sweepIntervalMs is the default of its caches", async () => {
    const backend = await openMemoryBackend({ sweepIntervalMs: 20 });
    const cache = backend.cache("s");
    await cache.set("a", 1, { ttlMs: 20 });
    await cache.set("b", 1);
    await waitFor(async () => (await cache.stats()).entries === 1, 3000, "the backend-wide sweep");
    await backend.close();
  });

  it("errors from the codec are reported as [memory] errors with the codec error as cause", async () => {
    const backend = await openMemoryBackend();
    const cache = backend.cache("c");
    const error = await cache.set("k", () => 1).catch((err: unknown) => err);
    expect(BackendError.is(error, "INVALID_ARGUMENT")).toBe(true);
    expect((error as Error).message).toMatch(/^\[memory\] /);
    expect((error as Error).cause).toBeInstanceOf(BackendError);
    await backend.close();
  });

  it("a codec returning something other than text is rejected; a throwing decode is CORRUPTION", async () => {
    const backend = await openMemoryBackend();
    const numeric = backend.cache("n", {
      codec: { name: "bad", encode: () => 42, decode: String } as unknown as Codec,
    });
    expect(await codeOf(numeric.set("k", 1))).toBe("INVALID_ARGUMENT");
    const broken = backend.cache("b", {
      codec: {
        name: "write-only",
        encode: JSON.stringify,
        decode: () => {
          throw new Error("cannot read");
        },
      },
    });
    await broken.set("k", 1);
    expect(await codeOf(broken.get("k"))).toBe("CORRUPTION");
    await backend.close();
  });

  it("increment beyond the safe integer range is INVALID_ARGUMENT and changes nothing", async () => {
    const backend = await openMemoryBackend();
    const cache = backend.cache("c");
    await cache.set("n", Number.MAX_SAFE_INTEGER);
    expect(await codeOf(cache.increment("n"))).toBe("INVALID_ARGUMENT");
    expect(await cache.get("n")).toBe(Number.MAX_SAFE_INTEGER);
    await backend.close();
  });

  it("closing one handle closes only that handle", async () => {
    const backend = await openMemoryBackend();
    const first = backend.cache("c");
    const second = backend.cache("c");
    await first.set("k", 1);
    await first.close();
    expect(await codeOf(first.get("k"))).toBe("CLOSED");
    expect(await second.get("k")).toBe(1);
    await backend.close();
  });

  it("handles on one name share statistics", async () => {
    const backend = await openMemoryBackend();
    const first = backend.cache("c");
    const second = backend.cache("c");
    await first.set("k", 1);
    await first.get("k");
    await second.get("missing");
    expect(await second.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1 });
    await backend.close();
  });

  it("keys lists each key once even when reads reorder an LRU cache during iteration", async () => {
    const backend = await openMemoryBackend();
    const cache = backend.cache("c", { maxEntries: 100 });
    await cache.setMany(["a", "b", "c", "d"].map((key) => ({ key, value: key })));
    const seen: string[] = [];
    for await (const key of cache.keys()) {
      seen.push(key);
      await cache.get(key); // moves the key to the recent end
    }
    expect(seen).toEqual(["a", "b", "c", "d"]);
    await backend.close();
  });

  it("an expired entry pushed out by maxEntries is not counted as an eviction", async () => {
    const backend = await openMemoryBackend();
    const cache = backend.cache("c", { maxEntries: 2 });
    await cache.set("old", 1, { ttlMs: 20 });
    await cache.set("x", 1);
    await new Promise((resolve) => setTimeout(resolve, 30)); // "old" has expired, unread
    await cache.set("y", 1);
    expect((await cache.stats()).evictions).toBe(0);
    expect(await cache.getMany(["x", "y"])).toEqual([1, 1]);
    await backend.close();
  });
});
