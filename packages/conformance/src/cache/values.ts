import { expect, test } from "vitest";
import { type CacheContext, expectCode } from "./context.js";

/** Values that must come back exactly as they went in (PROTOCOLS.md §0 "Values"). */
export function sampleValues(): [string, unknown][] {
  return [
    ["zero", 0],
    ["empty string", ""],
    ["false", false],
    ["null", null],
    ["negative float", -12.5],
    ["large safe integer", Number.MAX_SAFE_INTEGER],
    ["unicode string", "ünïcödé 😀 \n\t \u0000 end"],
    ["Date", new Date("2024-02-29T12:34:56.789Z")],
    ["Uint8Array", new Uint8Array([0, 1, 127, 128, 255])],
    ["empty Uint8Array", new Uint8Array(0)],
    ["bigint", 123456789012345678901234567890n],
    ["negative bigint", -5n],
    [
      "Map",
      new Map<unknown, unknown>([
        ["a", 1],
        [2, "two"],
      ]),
    ],
    ["Set", new Set<unknown>(["x", 1, null])],
    ["empty object", {}],
    ["empty array", []],
    ["object with a $ key", { $: "d", v: "2020-01-01T00:00:00.000Z" }],
    [
      "nested",
      {
        list: [1, "two", [3, [4, { five: 5 }]], null, false, 0, ""],
        when: new Date(0),
        bytes: new Uint8Array([9]),
        big: 7n,
        map: new Map([["k", new Set([new Date(1)])]]),
        deep: { a: { b: { c: { d: { e: ["bottom"] } } } } },
      },
    ],
  ];
}

/**
 * Values: exact round-trips, copies, and values that cannot be encoded.
 *
 * @example
 * ```ts
 * describe("values", () => registerCacheValues(ctx));
 * ```
 */
export function registerCacheValues(ctx: CacheContext): void {
  test.each(sampleValues())("round-trips %s exactly through set/get, getMany and add", async (_label, value) => {
    const cache = ctx.cache();
    await cache.set("k", value);
    expect(await cache.get("k")).toEqual(value);
    expect(await cache.has("k")).toBe(true);
    expect(await cache.getMany(["k", "missing", "k"])).toEqual([value, undefined, value]);
    expect(await cache.add("added", value)).toBe(true);
    expect(await cache.get("added")).toEqual(value);
    await cache.setMany([{ key: "many", value }]);
    expect(await cache.get("many")).toEqual(value);
  });

  test("a Buffer is stored as its bytes", async () => {
    const cache = ctx.cache();
    await cache.set("buf", Buffer.from("héllo"));
    const back = (await cache.get("buf")) as Uint8Array;
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back).toString("utf8")).toBe("héllo");
  });

  test("a __proto__ key is stored as data and pollutes no prototype", async () => {
    const cache = ctx.cache();
    const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as object;
    await cache.set("k", value);
    const back = (await cache.get("k")) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  test("stored values are copies: mutating the input or a result changes nothing stored", async () => {
    const cache = ctx.cache<{ list: number[]; inner: { n: number } }>();
    const input = { list: [1, 2], inner: { n: 1 } };
    await cache.set("k", input);
    input.list.push(3);
    input.inner.n = 99;
    const first = await cache.get("k");
    expect(first).toEqual({ list: [1, 2], inner: { n: 1 } });
    first?.list.push(4);
    if (first) first.inner.n = 42;
    expect(await cache.get("k")).toEqual({ list: [1, 2], inner: { n: 1 } });
    const [many] = await cache.getMany(["k"]);
    many?.list.pop();
    expect(await cache.get("k")).toEqual({ list: [1, 2], inner: { n: 1 } });
  });

  test("shared references that are not cycles are accepted", async () => {
    const cache = ctx.cache();
    const shared = { n: 1 };
    await cache.set("k", { a: shared, b: [shared, shared] });
    expect(await cache.get("k")).toEqual({ a: { n: 1 }, b: [{ n: 1 }, { n: 1 }] });
  });

  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const unencodable: [string, unknown][] = [
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["a nested function", { ok: 1, nested: [{ fn: () => 1 }] }],
    ["a cycle", cyclic],
  ];
  test.each(unencodable)("%s is INVALID_ARGUMENT and nothing is written", async (_label, bad) => {
    const cache = ctx.cache();
    await cache.set("existing", "old");
    await expectCode(() => cache.set("k", bad), "INVALID_ARGUMENT");
    await expectCode(() => cache.set("existing", bad), "INVALID_ARGUMENT");
    await expectCode(() => cache.add("k", bad), "INVALID_ARGUMENT");
    await expectCode(
      () =>
        cache.setMany([
          { key: "good", value: 1 },
          { key: "k", value: bad },
        ]),
      "INVALID_ARGUMENT",
    );
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.get("good")).toBeUndefined();
    expect(await cache.get("existing")).toBe("old");
    expect((await cache.stats()).entries).toBe(1);
  });
}
