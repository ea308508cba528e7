import type { BackendError, FailOpenOperation } from "@core/protocols";
import { expect, test } from "vitest";
import { freshName } from "../names.js";
import { type CacheContext, expectCode } from "./context.js";

/**
 * `onError: "miss"` (fail-open caches): a server that stops answering turns reads into
 * misses and writes into no-ops, each reported to `onCacheError`; bad arguments and
 * `CLOSED` still reject, and a healthy store behaves as without the option. The outage
 * test runs where the suite options can cut the server (`options.outage`).
 *
 * @example
 * ```ts
 * describe("fail-open", () => registerCacheFailOpen(ctx));
 * ```
 */
export function registerCacheFailOpen(ctx: CacheContext): void {
  test('onError: "miss" on a healthy store answers like the default cache', async () => {
    const cache = ctx.cache<number>({ onError: "miss", onCacheError: () => expect.unreachable() });
    await cache.set("a", 1);
    await cache.setMany([{ key: "b", value: 2 }]);
    expect(await cache.add("a", 9)).toBe(false);
    expect(await cache.increment("c", 3)).toBe(3);
    expect(await cache.getMany(["a", "b", "c", "x"])).toEqual([1, 2, 3, undefined]);
    expect(await cache.has("b")).toBe(true);
    expect(await cache.ttl("b")).toBeNull();
    expect(await cache.delete("a")).toBe(true);
    expect(await cache.deleteMany(["b", "x"])).toBe(1);
    expect((await cache.stats()).entries).toBe(1);
    expect(await cache.clear()).toBe(1);
  });

  test('onError: "miss" still rejects bad arguments and answers CLOSED after close', async () => {
    const seen: string[] = [];
    const cache = ctx.cache<unknown>({ onError: "miss", onCacheError: (err) => seen.push(err.code) });
    await expectCode(() => cache.get(""), "INVALID_ARGUMENT");
    await expectCode(() => cache.set("k", 1, { ttlMs: 0 }), "INVALID_ARGUMENT");
    await expectCode(() => cache.set("k", () => 1), "INVALID_ARGUMENT");
    await expectCode(() => cache.getMany("k" as unknown as string[]), "INVALID_ARGUMENT");
    await cache.close();
    await expectCode(() => cache.get("k"), "CLOSED");
    await expectCode(() => cache.set("k", 1), "CLOSED");
    expect(seen).toEqual([]);
  });

  test("onError must be throw or miss; onCacheError a function, given with miss", async () => {
    const bad: unknown[] = [
      { onError: "ignore" },
      { onError: null },
      { onError: "miss", onCacheError: "log" },
      { onCacheError: () => {} },
      { onError: "throw", onCacheError: () => {} },
    ];
    for (const options of bad) await expectCode(() => ctx.cache(options as never), "INVALID_ARGUMENT");
  });

  const outage = ctx.options.outage;
  if (outage === undefined) return;
  test('onError: "miss": a server that stops answering gives misses and no-ops, told to onCacheError, then recovers', async () => {
    const { backend, cut, restore } = await outage();
    try {
      const seen: [BackendError, FailOpenOperation][] = [];
      const cache = backend.cache<number>(freshName("cache"), {
        onError: "miss",
        onCacheError: (error, operation) => seen.push([error, operation]),
      });
      const strict = backend.cache<number>(freshName("cache"));
      await cache.set("k", 1);
      cut();
      // At once: each call waits for the client's command timeout.
      const answers = await Promise.all([
        cache.get("k"),
        cache.getMany(["k", "x"]),
        cache.has("k"),
        cache.ttl("k"),
        cache.set("k", 2),
        cache.setMany([{ key: "k", value: 3 }]),
        cache.add("n", 4),
        cache.delete("k"),
        cache.deleteMany(["k"]),
        cache.clear(),
        strict.get("k").then(
          () => "answered",
          (err: BackendError) => err.code,
        ),
      ]);
      expect(answers.slice(0, 10)).toEqual([
        undefined,
        [undefined, undefined],
        false,
        undefined,
        undefined,
        undefined,
        false,
        false,
        0,
        0,
      ]);
      // The cache without the option still rejects, with an outage code.
      expect(["CONNECTION", "TIMEOUT"]).toContain(answers[10]);
      expect(seen.map(([, operation]) => operation).sort()).toEqual(
        ["get", "getMany", "has", "ttl", "set", "setMany", "add", "delete", "deleteMany", "clear"].sort(),
      );
      for (const [error] of seen) {
        expect(error.name).toBe("BackendError");
        expect(["CONNECTION", "TIMEOUT"]).toContain(error.code);
        expect(error.retryable).toBe(true);
      }
      restore();
      // A write that timed out may still land once the server answers: only new calls are checked.
      await cache.set("after", 5);
      expect(await cache.get("after")).toBe(5);
      expect(seen).toHaveLength(10);
    } finally {
      restore();
      await backend.close();
    }
  });
}
