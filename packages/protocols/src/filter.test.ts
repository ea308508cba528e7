import { describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import {
  compareCodePoints,
  compareFieldValues,
  compareRecords,
  compileFilter,
  type Filter,
  fieldValue,
  matchesFilter,
  parseField,
  parseOrderBy,
  typeRank,
} from "./filter.js";
import type { StoredRecord } from "./records.js";

const T0 = new Date("2024-01-01T00:00:00.000Z");

function rec(id: string, content: Record<string, unknown>, extra: Partial<StoredRecord> = {}): StoredRecord {
  return {
    id,
    naturalKey: `nk-${id}`,
    layer: "bronze",
    content,
    metadata: {},
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...extra,
  };
}

const RECORDS = [
  rec("a", { v: 5 }),
  rec("b", { v: "5" }),
  rec("c", { v: true }),
  rec("d", { v: null }),
  rec("e", {}),
  rec("f", { v: 0 }),
  rec("g", { v: "" }),
  rec("h", { v: false }),
  rec("i", { v: { x: 1 } }),
  rec("j", { v: [1, 2] }),
  rec("k", { v: "abc" }),
  rec("l", { v: -2.5 }),
];

function ids(filter: Filter | unknown, records = RECORDS): string[] {
  const conditions = compileFilter(filter);
  return records.filter((r) => matchesFilter(r, conditions)).map((r) => r.id);
}

function expectInvalid(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(BackendError.is(error, "INVALID_ARGUMENT"), String(error)).toBe(true);
}

describe("presence", () => {
  it("exists: true matches every present value, including 0, '', false, objects and arrays", () => {
    expect(ids({ "content.v": { exists: true } })).toEqual(["a", "b", "c", "f", "g", "h", "i", "j", "k", "l"]);
  });
  it("exists: false and eq: null match missing and null", () => {
    expect(ids({ "content.v": { exists: false } })).toEqual(["d", "e"]);
    expect(ids({ "content.v": null })).toEqual(["d", "e"]);
    expect(ids({ "content.v": { eq: null } })).toEqual(["d", "e"]);
  });
  it("ne: null and in: [null] match nothing (null has no type to compare)", () => {
    expect(ids({ "content.v": { ne: null } })).toEqual([]);
    expect(ids({ "content.v": { in: [null] } })).toEqual([]);
  });
  it("fields reached through a missing parent, an array or a scalar are missing", () => {
    const records = [rec("a", { p: { q: 1 } }), rec("b", { p: [{ q: 1 }] }), rec("c", { p: 3 }), rec("d", {})];
    expect(ids({ "content.p.q": { exists: true } }, records)).toEqual(["a"]);
    expect(ids({ "content.p.q": { exists: false } }, records)).toEqual(["b", "c", "d"]);
  });
  it("inherited properties are not fields", () => {
    expect(ids({ "content.toString": { exists: true } })).toEqual([]);
    expect(fieldValue(rec("a", {}), parseField("content.hasOwnProperty"))).toBeUndefined();
  });
});

describe("type strictness", () => {
  it("eq compares only values of the same type", () => {
    expect(ids({ "content.v": 5 })).toEqual(["a"]);
    expect(ids({ "content.v": "5" })).toEqual(["b"]);
    expect(ids({ "content.v": true })).toEqual(["c"]);
    expect(ids({ "content.v": 0 })).toEqual(["f"]);
    expect(ids({ "content.v": false })).toEqual(["h"]);
    expect(ids({ "content.v": "" })).toEqual(["g"]);
  });
  it("ne matches present values of the same type only (never missing ones)", () => {
    expect(ids({ "content.v": { ne: 5 } })).toEqual(["f", "l"]);
    expect(ids({ "content.v": { ne: "5" } })).toEqual(["g", "k"]);
    expect(ids({ "content.v": { ne: true } })).toEqual(["h"]);
  });
  it("range operators compare same-type values", () => {
    expect(ids({ "content.v": { gt: 0 } })).toEqual(["a"]);
    expect(ids({ "content.v": { gte: 0 } })).toEqual(["a", "f"]);
    expect(ids({ "content.v": { lt: 0 } })).toEqual(["l"]);
    expect(ids({ "content.v": { lte: 5 } })).toEqual(["a", "f", "l"]);
    expect(ids({ "content.v": { gt: "" } })).toEqual(["b", "k"]);
    expect(ids({ "content.v": { gt: false } })).toEqual(["c"]);
    expect(ids({ "content.v": { lt: true } })).toEqual(["h"]);
  });
  it("in matches any listed value of the same type", () => {
    expect(ids({ "content.v": { in: [5, "abc", false] } })).toEqual(["a", "h", "k"]);
    expect(ids({ "content.v": { in: [] } })).toEqual([]);
  });
  it("objects and arrays match only exists", () => {
    const objects = [rec("i", { v: { x: 1 } }), rec("j", { v: [1, 2] })];
    for (const op of ["eq", "ne", "gt", "gte", "lt", "lte"]) {
      expect(ids({ "content.v": { [op]: 1 } }, objects)).toEqual([]);
    }
    expect(ids({ "content.v": { prefix: "" } }, objects)).toEqual([]);
  });
  it("Dates compare with createdAt/updatedAt, never with strings or numbers", () => {
    const records = [rec("a", {}, { createdAt: new Date(1000) }), rec("b", {}, { createdAt: new Date(2000) })];
    expect(ids({ createdAt: { gt: new Date(1000) } }, records)).toEqual(["b"]);
    expect(ids({ createdAt: new Date(1000) }, records)).toEqual(["a"]);
    expect(ids({ createdAt: { lte: new Date(2000) } }, records)).toEqual(["a", "b"]);
    expect(ids({ createdAt: 1000 }, records)).toEqual([]);
    expect(ids({ createdAt: { gt: "1970" } }, records)).toEqual([]);
    expect(ids({ "content.v": new Date(5) })).toEqual([]);
  });
});

describe("strings", () => {
  const words = ["a", "B", "é", "\uFFFD", "\u{1F600}", "Z", "", "ab"];
  it("compareCodePoints orders by code point (astral after U+FFFD, unlike UTF-16 order)", () => {
    expect([...words].sort(compareCodePoints)).toEqual(["", "B", "Z", "a", "ab", "é", "\uFFFD", "\u{1F600}"]);
    expect("\u{1F600}" < "\uFFFD").toBe(true); // the UTF-16 order this function corrects
    expect(compareCodePoints("\u{1F600}", "\uFFFD")).toBeGreaterThan(0);
    expect(compareCodePoints("\uE000", "\u{10000}")).toBeLessThan(0);
    expect(compareCodePoints("\u{10000}", "\u{10FFFF}")).toBeLessThan(0);
    expect(compareCodePoints("abc", "abc")).toBe(0);
  });
  it("agrees with UTF-8 byte order", () => {
    const sorted = [...words].sort(compareCodePoints);
    const bytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(sorted).toEqual(bytes);
  });
  it("gt/lt filters use code-point order", () => {
    const records = words.map((w, i) => rec(`r${i}`, { w }));
    const gt = ids({ "content.w": { gt: "\uFFFD" } }, records).map((id) => records[Number(id.slice(1))]!.content.w);
    expect(gt).toEqual(["\u{1F600}"]);
    expect(ids({ "content.w": { lt: "a" } }, records).length).toBe(3);
  });
  it("prefix matches strings only and is case-sensitive", () => {
    const records = [
      rec("a", { w: "apple" }),
      rec("b", { w: "Apple" }),
      rec("c", { w: "ap" }),
      rec("d", { w: 12 }),
      rec("e", { w: "\u{1F600}x" }),
    ];
    expect(ids({ "content.w": { prefix: "ap" } }, records)).toEqual(["a", "c"]);
    expect(ids({ "content.w": { prefix: "" } }, records)).toEqual(["a", "b", "c", "e"]);
    expect(ids({ "content.w": { prefix: "1" } }, records)).toEqual([]);
    expect(ids({ "content.w": { prefix: "\u{1F600}" } }, records)).toEqual(["e"]);
  });
});

describe("combinations", () => {
  it("several operators on one field and several fields must all hold", () => {
    expect(ids({ "content.v": { gte: 0, lt: 5 } })).toEqual(["f"]);
    expect(ids({ id: { in: ["a", "b", "f"] }, "content.v": { exists: true, ne: 0 } })).toEqual(["a"]);
    expect(ids({})).toEqual(RECORDS.map((r) => r.id));
    expect(ids(undefined)).toEqual(RECORDS.map((r) => r.id));
  });
  it("top-level fields and metadata paths are filterable", () => {
    const records = [
      rec("a", {}, { layer: "gold", metadata: { src: { name: "rss" } } }),
      rec("b", {}, { naturalKey: "url:b" }),
    ];
    expect(ids({ layer: "gold" }, records)).toEqual(["a"]);
    expect(ids({ "metadata.src.name": "rss" }, records)).toEqual(["a"]);
    expect(ids({ naturalKey: { prefix: "url:" } }, records)).toEqual(["b"]);
  });
});

describe("ordering", () => {
  it("typeRank: missing/null < boolean < number/Date < string < object/array", () => {
    expect([undefined, null, false, 1, new Date(0), "", {}, []].map(typeRank)).toEqual([0, 0, 1, 2, 2, 3, 4, 4]);
  });
  it("compareFieldValues sorts mixed values by rank then value", () => {
    // Array#sort always moves undefined last, so missing values are compared directly below.
    const values = ["b", 2, true, null, { x: 1 }, "a", -1, false, [0]];
    const sorted = [...values].sort(compareFieldValues);
    expect(sorted.slice(0, 7)).toEqual([null, false, true, -1, 2, "a", "b"]);
    expect(compareFieldValues(undefined, false)).toBeLessThan(0);
    expect(compareFieldValues({ x: 1 }, [0])).toBe(0);
    expect(compareFieldValues(null, undefined)).toBe(0);
    expect(compareFieldValues(new Date(1), new Date(2))).toBeLessThan(0);
  });
  it("compareRecords breaks ties by id in the ordering's direction", () => {
    const records = [rec("c", { v: 1 }), rec("a", { v: 2 }), rec("b", { v: 1 }), rec("d", {})];
    const asc = [...records].sort((x, y) => compareRecords(x, y, parseOrderBy("content.v")));
    expect(asc.map((r) => r.id)).toEqual(["d", "b", "c", "a"]);
    const desc = [...records].sort((x, y) => compareRecords(x, y, parseOrderBy("-content.v")));
    expect(desc.map((r) => r.id)).toEqual(["a", "c", "b", "d"]);
    const byId = [...records].sort((x, y) => compareRecords(x, y, parseOrderBy(undefined)));
    expect(byId.map((r) => r.id)).toEqual(["a", "b", "c", "d"]);
  });
  it("parseOrderBy parses direction and validates the field", () => {
    expect(parseOrderBy("-updatedAt")).toMatchObject({ field: "updatedAt", descending: true });
    expect(parseOrderBy("content.a.b")).toMatchObject({
      descending: false,
      parsed: { root: "content", path: ["a", "b"] },
    });
    for (const bad of ["bogus", "--id", "-", "", 5, "content.__proto__", "id desc", "content.x; drop table t"]) {
      expectInvalid(() => parseOrderBy(bad));
    }
  });
});

describe("validation", () => {
  it("parseField accepts the whitelist and splits paths", () => {
    expect(parseField("content.author.name")).toEqual({ root: "content", path: ["author", "name"] });
    expect(parseField("metadata.a-b_C9")).toEqual({ root: "metadata", path: ["a-b_C9"] });
    expect(parseField("createdAt")).toEqual({ root: "createdAt", path: [] });
  });
  it("rejects unknown fields, forbidden keys and bad path segments", () => {
    const bad = [
      "title",
      "content",
      "metadata",
      "content.",
      "content..a",
      "content.a.",
      "content.a b",
      "content.a'b",
      'content.a"b',
      "content.a;drop",
      "content.é",
      `content.${"x".repeat(65)}`,
      "__proto__",
      "constructor",
      "prototype",
      "content.__proto__",
      "metadata.constructor",
      "content.a.prototype",
      "version",
      "Content.a",
    ];
    for (const field of bad) expectInvalid(() => parseField(field));
  });
  it("rejects unknown operators, bad operands and non-object filters", () => {
    const bad: unknown[] = [
      { "content.v": { like: "a%" } },
      { "content.v": { $eq: 1 } },
      { "content.v": {} },
      { "content.v": { eq: {} } },
      { "content.v": { eq: [1] } },
      { "content.v": Number.NaN },
      { "content.v": { gt: Number.POSITIVE_INFINITY } },
      { "content.v": { in: "a" } },
      { "content.v": { in: [{}] } },
      { "content.v": { exists: 1 } },
      { "content.v": { prefix: 1 } },
      { "content.v": 10n },
      { "content.v": new Map() },
      JSON.parse('{"__proto__": 1}'),
      JSON.parse('{"content.v": {"__proto__": 1}}'),
      { constructor: 1 },
      [],
      "id = 1",
      null,
      5,
    ];
    for (const filter of bad) expectInvalid(() => compileFilter(filter));
  });
  it("rejects an Invalid Date as a value or operand", () => {
    const invalid = new Date(Number.NaN);
    expectInvalid(() => compileFilter({ createdAt: invalid }));
    expectInvalid(() => compileFilter({ createdAt: { gt: invalid } }));
    expectInvalid(() => compileFilter({ updatedAt: { in: [new Date(0), invalid] } }));
    expect(compileFilter({ createdAt: new Date(0) })).toHaveLength(1);
  });
  it("messages name the backend", () => {
    try {
      compileFilter({ nope: 1 }, "sqlite");
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^\[sqlite\] unknown field "nope"/);
    }
  });
});
