import type { Cache } from "@core/protocols";
import { expect, test } from "vitest";
import { freshName } from "../names.js";
import { type CacheContext, expectCode, listKeys } from "./context.js";

/** Keys every backend must store, read and list back unchanged (PROTOCOLS.md §0 "Keys"). */
export const AWKWARD_KEYS: readonly string[] = [
  "ünïcödé",
  "日本語のキー",
  "😀🎉",
  "a/b/c",
  "/leading-slash",
  "..",
  ".",
  "../../etc/passwd",
  "..\\..\\windows",
  "*",
  "?",
  "%",
  "%2F%00",
  "user:*?[a-z]",
  "with space",
  " ",
  "line\nbreak\r\n",
  "tab\there",
  "\u0000nul",
  "CON",
  "nul",
  "COM1.txt",
  "'; DROP TABLE cache; --",
  "$",
  "__proto__",
  "constructor",
  "a".repeat(1024),
  "é".repeat(512),
  "😀".repeat(256),
];

/** Keys every backend must reject with INVALID_ARGUMENT. */
export const BAD_KEYS: readonly [string, unknown][] = [
  ["empty string", ""],
  ["1025 ASCII bytes", "a".repeat(1025)],
  ["1025 UTF-8 bytes of two-byte characters", `${"é".repeat(512)}a`],
  ["lone high surrogate", "\uD800"],
  ["lone low surrogate inside", "a\uDC00b"],
  ["number", 42],
  ["null", null],
  ["undefined", undefined],
  ["object", { key: "k" }],
  ["array", ["k"]],
];

// Every keyed method, called with one bad key.
function keyedCalls(cache: Cache<unknown>, key: unknown): [string, () => unknown][] {
  const k = key as string;
  return [
    ["get", () => cache.get(k)],
    ["set", () => cache.set(k, 1)],
    ["add", () => cache.add(k, 1)],
    ["increment", () => cache.increment(k)],
    ["delete", () => cache.delete(k)],
    ["has", () => cache.has(k)],
    ["ttl", () => cache.ttl(k)],
    ["getMany", () => cache.getMany(["ok", k])],
    [
      "setMany",
      () =>
        cache.setMany([
          { key: "ok", value: 1 },
          { key: k, value: 1 },
        ]),
    ],
    ["deleteMany", () => cache.deleteMany(["ok", k])],
  ];
}

/**
 * Keys and names: what must be accepted unchanged and what must be rejected first.
 *
 * @example
 * ```ts
 * describe("keys and names", () => registerCacheKeys(ctx));
 * ```
 */
export function registerCacheKeys(ctx: CacheContext): void {
  test("awkward keys are stored, read, listed and deleted unchanged", async () => {
    const cache = ctx.cache();
    for (const [i, key] of AWKWARD_KEYS.entries()) await cache.set(key, i);
    for (const [i, key] of AWKWARD_KEYS.entries()) expect(await cache.get(key), JSON.stringify(key)).toBe(i);
    expect(await cache.getMany([...AWKWARD_KEYS])).toEqual(AWKWARD_KEYS.map((_, i) => i));
    expect(await listKeys(cache)).toEqual([...AWKWARD_KEYS].sort());
    for (const key of AWKWARD_KEYS) expect(await listKeys(cache, key.replaceAll("*", "?"))).toContain(key);
    expect(await cache.has("../../etc/passwd")).toBe(true);
    expect(await cache.get("..")).toBe(AWKWARD_KEYS.indexOf(".."));
    expect(await cache.deleteMany([...AWKWARD_KEYS])).toBe(AWKWARD_KEYS.length);
    expect(await listKeys(cache)).toEqual([]);
  });

  test("keys that differ only in case or normalisation are different keys", async () => {
    const cache = ctx.cache();
    const keys = ["Key", "key", "KEY", "\u00e9", "e\u0301"];
    await cache.setMany(keys.map((key, i) => ({ key, value: i })));
    expect(await cache.getMany(keys)).toEqual([0, 1, 2, 3, 4]);
    expect(await listKeys(cache)).toEqual([...keys].sort());
  });

  test.each(BAD_KEYS)("a key that is %s is INVALID_ARGUMENT for every method, nothing written", async (_l, bad) => {
    const cache = ctx.cache();
    for (const [method, call] of keyedCalls(cache, bad)) {
      try {
        await expectCode(call, "INVALID_ARGUMENT");
      } catch (err) {
        throw new Error(`${method}: ${(err as Error).message}`);
      }
    }
    expect(await cache.has("ok")).toBe(false);
    expect((await cache.stats()).entries).toBe(0);
  });

  test("getMany, setMany and deleteMany need arrays", async () => {
    const cache = ctx.cache();
    await expectCode(() => cache.getMany("k" as never), "INVALID_ARGUMENT");
    await expectCode(() => cache.setMany({ key: "k", value: 1 } as never), "INVALID_ARGUMENT");
    await expectCode(() => cache.setMany([null] as never), "INVALID_ARGUMENT");
    await expectCode(() => cache.deleteMany("k" as never), "INVALID_ARGUMENT");
  });

  test("store names: 1–128 characters without control characters", async () => {
    const base = freshName("cache");
    const ok = [base, `${base}/eu west ü 😀:*`, base.padEnd(128, "x")];
    for (const name of ok) {
      const cache = ctx.backend.cache(name);
      expect(cache.name).toBe(name);
      await cache.set("k", name);
      expect(await cache.get("k")).toBe(name);
    }
    for (const bad of ["", base.padEnd(129, "x"), `${base}\n`, `${base}\tx`, `${base}\u0000`, 5, null, undefined]) {
      await expectCode(() => ctx.backend.cache(bad as string), "INVALID_ARGUMENT");
    }
  });
}
