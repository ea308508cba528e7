import { describe, expect, it } from "vitest";
import { defaultCodec } from "./codec.js";
import { BackendError } from "./errors.js";

const roundTrip = (value: unknown) => defaultCodec.decode(defaultCodec.encode(value));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return BackendError.is(err) ? err.code : `not a BackendError: ${String(err)}`;
  }
  return undefined;
}

describe("defaultCodec", () => {
  it("round-trips falsy values as values", () => {
    for (const value of [0, "", false, null]) expect(roundTrip(value)).toBe(value);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
  });

  it("round-trips numbers JSON cannot represent", () => {
    expect(roundTrip(Number.NaN)).toBeNaN();
    expect(roundTrip(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(roundTrip(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(roundTrip(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(roundTrip(0.1)).toBe(0.1);
  });

  it("round-trips Date, including an invalid Date", () => {
    const date = new Date("2024-02-29T12:34:56.789Z");
    const back = roundTrip(date);
    expect(back).toBeInstanceOf(Date);
    expect((back as Date).getTime()).toBe(date.getTime());
    const invalid = roundTrip(new Date(Number.NaN));
    expect(invalid).toBeInstanceOf(Date);
    expect((invalid as Date).getTime()).toBeNaN();
  });

  it("round-trips bytes; a Buffer comes back as a Uint8Array of the same bytes", () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const back = roundTrip(bytes);
    expect(back).toBeInstanceOf(Uint8Array);
    expect([...(back as Uint8Array)]).toEqual([0, 1, 254, 255]);
    const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    expect([...(roundTrip(view) as Uint8Array)]).toEqual([8, 7]);
    const buffer = Buffer.from("héllo");
    const fromBuffer = roundTrip(buffer) as Uint8Array;
    expect(Object.getPrototypeOf(fromBuffer)).toBe(Uint8Array.prototype);
    expect(Buffer.from(fromBuffer).toString()).toBe("héllo");
    expect((roundTrip(new Uint8Array(0)) as Uint8Array).length).toBe(0);
  });

  it("round-trips bigint, Map, Set and undefined inside containers", () => {
    expect(roundTrip(12345678901234567890n)).toBe(12345678901234567890n);
    expect(roundTrip(-1n)).toBe(-1n);
    const map = new Map<unknown, unknown>([
      ["a", 1],
      [2, new Set([1n])],
      [null, new Date(0)],
    ]);
    expect(roundTrip(map)).toEqual(map);
    expect(roundTrip(new Set(["x", 1, null]))).toEqual(new Set(["x", 1, null]));
    expect(roundTrip([1, undefined, 3])).toEqual([1, undefined, 3]);
  });

  it("round-trips nested structures to any depth", () => {
    const value = {
      s: "str",
      n: [1, [2, [3, { deep: new Map([["k", [new Uint8Array([1]), 2n, new Date(1)]]]) }]]],
      empty: {},
      list: [],
      unicode: "😀 é \n \u0000",
    };
    expect(roundTrip(value)).toEqual(value);
    let deep: unknown = "leaf";
    for (let i = 0; i < 500; i++) deep = { child: [deep] };
    expect(roundTrip(deep)).toEqual(deep);
  });

  it("keeps user objects that look like tags apart from tags", () => {
    const tricky = [
      { $: "d", v: "2020-01-01T00:00:00.000Z" },
      { $: "b", v: "1" },
      { $: "nonsense" },
      { $: 1, other: { $: "o", v: [] } },
      { a: { $: "y", v: "AA==" } },
      "$",
      { "": "$" },
    ];
    for (const value of tricky) expect(roundTrip(value)).toEqual(value);
    expect(roundTrip({ $: "d", v: "x" })).not.toBeInstanceOf(Date);
  });

  it("keeps __proto__ keys as own data without touching prototypes", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toEqual({ polluted: true });
    expect((back as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    const escaped = JSON.parse('{"$": 1, "__proto__": {"polluted": true}}');
    const back2 = roundTrip(escaped) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back2)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back2, "__proto__")?.value).toEqual({ polluted: true });
    const nested = roundTrip([new Map([["k", JSON.parse('{"__proto__": {"x": 1}}')]])]) as Map<string, object>[];
    const inner = nested[0]?.get("k") as object;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect(Object.hasOwn(inner, "__proto__")).toBe(true);
  });

  it("encodes plain JSON as JSON.stringify does, and everything else through tags, at any depth", () => {
    const plain = { id: 42, name: "Ada", tags: ["a", "b"], nested: { ok: true, none: null, n: -1.5 } };
    expect(defaultCodec.encode(plain)).toBe(JSON.stringify(plain));
    expect(defaultCodec.encode(Object.assign(Object.create(null), { a: 1 }))).toBe('{"a":1}');
    // One special value anywhere (deep, after plain siblings) takes the tagging path.
    const hole = [1];
    hole[2] = 3;
    let deep: unknown = { when: new Date(0), gap: undefined, hole };
    for (let i = 0; i < 50; i++) deep = { level: i, child: deep, list: [i] };
    expect(roundTrip(deep)).toEqual(deep);
    const inherited = Object.create({ inheritedKey: 1 });
    inherited.own = 2;
    expect(codeOf(() => defaultCodec.encode(inherited))).toBe("INVALID_ARGUMENT");
  });

  it("rejects a cycle below the depth the plain-JSON check looks at", () => {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < 40; i++) {
      const next: Record<string, unknown> = {};
      node.child = next;
      node = next;
    }
    node.back = root;
    expect(codeOf(() => defaultCodec.encode(root))).toBe("INVALID_ARGUMENT");
  });

  it("accepts shared references that are not cycles", () => {
    const shared = { n: 1 };
    const value = { a: shared, b: shared, list: [shared, shared] };
    expect(roundTrip(value)).toEqual({ a: { n: 1 }, b: { n: 1 }, list: [{ n: 1 }, { n: 1 }] });
  });

  it("rejects functions, symbols, cycles and class instances with INVALID_ARGUMENT", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cyclicArray: unknown[] = [];
    cyclicArray.push([cyclicArray]);
    const cyclicMap = new Map<string, unknown>();
    cyclicMap.set("m", cyclicMap);
    class Point {
      x = 1;
    }
    for (const bad of [
      () => 1,
      Symbol("s"),
      { nested: [() => 1] },
      { s: Symbol("s") },
      cyclic,
      cyclicArray,
      cyclicMap,
      new Point(),
      /regex/,
      new Error("x"),
      new WeakMap(),
    ]) {
      expect(codeOf(() => defaultCodec.encode(bad))).toBe("INVALID_ARGUMENT");
    }
  });

  it("rejects text it did not produce with CORRUPTION", () => {
    expect(codeOf(() => defaultCodec.decode("{not json"))).toBe("CORRUPTION");
    expect(codeOf(() => defaultCodec.decode('{"$":"zz","v":1}'))).toBe("CORRUPTION");
  });

  it("turns malformed tagged data into CORRUPTION, never a raw SyntaxError/TypeError", () => {
    for (const text of [
      '{"$":"b","v":"1.5"}',
      '{"$":"b","v":null}',
      '{"$":"n","v":"12"}',
      '{"$":"n","v":5}',
      '{"$":"d","v":"not a date"}',
      '{"$":"d","v":{}}',
      '{"$":"y","v":7}',
      '{"$":"y","v":"not base64!"}',
      '{"$":"m","v":5}',
      '{"$":"m","v":[[1]]}',
      '{"$":"m","v":[null]}',
      '{"$":"s","v":"abc"}',
      '{"$":"o","v":{"a":1}}',
      '{"$":"o","v":[[1,2]]}',
      '[{"$":"b","v":"x"}]',
    ]) {
      expect(
        codeOf(() => defaultCodec.decode(text)),
        text,
      ).toBe("CORRUPTION");
    }
  });

  it("rejects symbol-keyed properties and absurdly deep values with INVALID_ARGUMENT", () => {
    expect(codeOf(() => defaultCodec.encode({ a: 1, [Symbol("k")]: 2 }))).toBe("INVALID_ARGUMENT");
    const array: unknown[] = [1];
    Object.defineProperty(array, Symbol("k"), { value: 2, enumerable: true });
    expect(codeOf(() => defaultCodec.encode({ nested: array }))).toBe("INVALID_ARGUMENT");
    let deep: unknown = "leaf";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(codeOf(() => defaultCodec.encode(deep))).toBe("INVALID_ARGUMENT");
  });

  it("is named and frozen", () => {
    expect(defaultCodec.name).toBe("tagged-json");
    expect(Object.isFrozen(defaultCodec)).toBe(true);
  });
});
