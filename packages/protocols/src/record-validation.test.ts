import { describe, expect, it } from "vitest";
import { encodeCursor } from "./cursor.js";
import { BackendError } from "./errors.js";
import { parseOrderBy } from "./filter.js";
import { MAX_JSON_DEPTH, validateJsonObject } from "./record-json.js";
import {
  DEFAULT_MAX_LIMIT,
  normalizeCountQuery,
  normalizeQuery,
  normalizeRecordStoreOptions,
} from "./record-query-validation.js";
import {
  normalizeLayer,
  validateBatchOptions,
  validateRecordBatch,
  validateRecordInput,
  validateSightingInput,
  validateStoreOptions,
} from "./record-validation.js";
import type { StoredRecord } from "./records.js";

function expectInvalid(fn: () => unknown, message?: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(BackendError.is(error, "INVALID_ARGUMENT"), String(error)).toBe(true);
  expect((error as Error).message).toMatch(/^\[test\] /);
  if (message) expect((error as Error).message).toMatch(message);
}

const base = { id: "r1", naturalKey: "nk1", content: { a: 1 } };

describe("validateRecordInput", () => {
  it("applies defaults and copies content and metadata deeply", () => {
    const content = { title: "Hi", nested: { list: [1, "two", null, true, { deep: "é\u{1F600}" }] } };
    const r = validateRecordInput("test", { id: "r1", naturalKey: "nk1", content });
    expect(r).toEqual({ id: "r1", naturalKey: "nk1", layer: "bronze", content, metadata: {} });
    expect(r.content).not.toBe(content);
    expect(r.content.nested).not.toBe(content.nested);
    content.nested.list.push(5);
    expect((r.content.nested as { list: unknown[] }).list).toHaveLength(5);
  });

  it("keeps layer and metadata, accepts null-prototype objects and any string key", () => {
    const content = Object.assign(Object.create(null), { "a.b": 1, "": 2, é: 3 });
    const r = validateRecordInput("test", { ...base, layer: "gold", metadata: { src: "rss" }, content });
    expect(r.layer).toBe("gold");
    expect(r.metadata).toEqual({ src: "rss" });
    expect(r.content).toEqual({ "a.b": 1, "": 2, é: 3 });
    expect(Object.getPrototypeOf(r.content)).toBe(Object.prototype);
  });

  it("normalises -0 to 0", () => {
    const r = validateRecordInput("test", { ...base, content: { z: -0, list: [-0] } });
    expect(Object.is(r.content.z, 0)).toBe(true);
    expect(Object.is((r.content.list as number[])[0], 0)).toBe(true);
  });

  it("ignores the fields a store owns, so a record read back can be stored again", () => {
    const stored = { ...base, layer: "silver", metadata: {}, createdAt: new Date(), updatedAt: new Date(), version: 3 };
    expect(validateRecordInput("test", stored)).toEqual({ ...base, layer: "silver", metadata: {} });
  });

  it("rejects bad ids, natural keys, layers and unknown fields", () => {
    const bad: unknown[] = [
      null,
      [],
      "record",
      new (class Rec {})(),
      { ...base, id: "" },
      { ...base, id: 5 },
      { ...base, id: "\uD800" },
      { ...base, id: "x".repeat(1025) },
      { ...base, id: undefined },
      { ...base, naturalKey: "" },
      { ...base, naturalKey: null },
      { ...base, layer: "platinum" },
      { ...base, layer: "Gold" },
      { ...base, layer: null },
      { ...base, extra: 1 },
      { ...base, version: 1, expectedVersion: 1 },
    ];
    for (const input of bad) expectInvalid(() => validateRecordInput("test", input));
  });

  it("rejects content and metadata that are not JSON objects", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) cursor = cursor.n = {};
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const badContent: [unknown, RegExp?][] = [
      [undefined, /JSON object/],
      [null],
      [[1, 2]],
      ["text"],
      [5],
      [new Map()],
      [new Date(), /JSON/],
      [{ a: undefined }, /undefined; records hold JSON/],
      [{ a: new Date() }, /Dates as ISO strings/],
      [{ a: 1n }, /bigint/],
      [{ a: () => 1 }],
      [{ a: Symbol("s") }],
      [{ a: Number.NaN }],
      [{ a: Number.POSITIVE_INFINITY }],
      [{ a: new Uint8Array(2) }],
      [{ a: new Set([1]) }],
      [{ a: [1, undefined] }],
      [{ a: sparse }, /hole/],
      [{ [Symbol("k")]: 1 }],
      [cycle, /cycle/],
      [{ list: [cycle] }, /cycle/],
      [deep, /deeper/],
      [JSON.parse('{"__proto__": {"polluted": true}}'), /__proto__/],
      [{ constructor: 1 }, /constructor/],
      [{ prototype: 1 }],
      [{ a: { b: JSON.parse('{"__proto__": 1}') } }],
      [{ a: [{ constructor: { prototype: 1 } }] }],
      [{ a: "\uD83D" }, /lone surrogate/],
      [{ a: "nul\u0000" }, /U\+0000/],
      [{ "k\u0000": 1 }],
    ];
    for (const [content, message] of badContent) {
      expectInvalid(() => validateRecordInput("test", { ...base, content }), message);
      if (content !== undefined) expectInvalid(() => validateRecordInput("test", { ...base, metadata: content }));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("accepts shared (non-cyclic) references and depth just under the limit", () => {
    const shared = { x: 1 };
    expect(validateJsonObject("test", { a: shared, b: [shared, shared] }, "content")).toEqual({
      a: { x: 1 },
      b: [{ x: 1 }, { x: 1 }],
    });
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < MAX_JSON_DEPTH - 2; i++) cursor = cursor.n = {};
    expect(() => validateJsonObject("test", deep, "content")).not.toThrow();
  });
});

describe("validateRecordBatch", () => {
  it("validates every record and names the bad index", () => {
    expect(validateRecordBatch("test", [base, { ...base, id: "r2" }])).toHaveLength(2);
    expect(validateRecordBatch("test", [])).toEqual([]);
    expectInvalid(() => validateRecordBatch("test", [base, { ...base, id: "" }]), /records\[1\]/);
    expectInvalid(() => validateRecordBatch("test", base));
    expectInvalid(() => validateRecordBatch("test", undefined));
  });
});

describe("options", () => {
  it("store options: expectedVersion a non-negative integer", () => {
    expect(validateStoreOptions("test", undefined)).toEqual({ preserveTimestamps: false });
    expect(validateStoreOptions("test", {})).toEqual({ preserveTimestamps: false });
    expect(validateStoreOptions("test", { expectedVersion: 0 })).toEqual({
      expectedVersion: 0,
      preserveTimestamps: false,
    });
    expect(validateStoreOptions("test", { preserveTimestamps: true })).toEqual({ preserveTimestamps: true });
    expectInvalid(() => validateStoreOptions("test", { preserveTimestamps: "yes" }));
    for (const bad of [-1, 1.5, "1", null, Number.NaN]) {
      expectInvalid(() => validateStoreOptions("test", { expectedVersion: bad }));
    }
    expectInvalid(() => validateStoreOptions("test", { version: 1 }));
    expectInvalid(() => validateStoreOptions("test", 1));
  });

  it("batch options: onConflict skip | update | error, default update", () => {
    expect(validateBatchOptions("test", undefined)).toEqual({ onConflict: "update", preserveTimestamps: false });
    expect(validateBatchOptions("test", { onConflict: "skip" })).toEqual({
      onConflict: "skip",
      preserveTimestamps: false,
    });
    expect(validateBatchOptions("test", { onConflict: "error" })).toEqual({
      onConflict: "error",
      preserveTimestamps: false,
    });
    expect(validateBatchOptions("test", { preserveTimestamps: true })).toEqual({
      onConflict: "update",
      preserveTimestamps: true,
    });
    expectInvalid(() => validateBatchOptions("test", { preserveTimestamps: 1 }));
    for (const bad of [{ onConflict: "replace" }, { onConflict: null }, { conflict: "skip" }, "skip"]) {
      expectInvalid(() => validateBatchOptions("test", bad));
    }
  });

  it("store options: maxLimit a positive integer, default 10 000", () => {
    expect(normalizeRecordStoreOptions("test", undefined)).toEqual({ maxLimit: DEFAULT_MAX_LIMIT });
    expect(normalizeRecordStoreOptions("test", { maxLimit: 5 })).toEqual({ maxLimit: 5 });
    for (const bad of [{ maxLimit: 0 }, { maxLimit: 1.5 }, { maxLimit: "5" }, { limit: 5 }, 5]) {
      expectInvalid(() => normalizeRecordStoreOptions("test", bad));
    }
  });

  it("normalizeLayer", () => {
    expect(normalizeLayer("test", undefined)).toBeUndefined();
    expect(normalizeLayer("test", "silver")).toBe("silver");
    for (const bad of ["", "BRONZE", 1, null]) expectInvalid(() => normalizeLayer("test", bad));
  });
});

describe("validateSightingInput", () => {
  it("applies defaults and copies seenAt and metadata", () => {
    const seenAt = new Date(5000);
    const s = validateSightingInput("test", { naturalKey: "k", source: "rss", seenAt, metadata: { a: [1] } });
    expect(s).toEqual({ naturalKey: "k", source: "rss", seenAt, metadata: { a: [1] }, contentHash: null });
    expect(s.seenAt).not.toBe(seenAt);
    const before = Date.now();
    const d = validateSightingInput("test", { naturalKey: "k", source: "x".repeat(256), contentHash: "abc" });
    expect(d.seenAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(d.metadata).toEqual({});
    expect(d.contentHash).toBe("abc");
  });

  it("rejects bad sightings", () => {
    const ok = { naturalKey: "k", source: "rss" };
    const bad: unknown[] = [
      null,
      { ...ok, naturalKey: "" },
      { ...ok, naturalKey: 1 },
      { ...ok, source: "" },
      { ...ok, source: "x".repeat(257) },
      { ...ok, source: 5 },
      { ...ok, seenAt: new Date(Number.NaN) },
      { ...ok, seenAt: "2024-01-01" },
      { ...ok, seenAt: 5 },
      { ...ok, metadata: [] },
      { ...ok, metadata: { a: new Date() } },
      { ...ok, metadata: JSON.parse('{"__proto__": 1}') },
      { ...ok, contentHash: 5 },
      { ...ok, contentHash: "x".repeat(1025) },
      { ...ok, extra: true },
    ];
    for (const input of bad) expectInvalid(() => validateSightingInput("test", input));
  });
});

describe("normalizeQuery", () => {
  it("resolves defaults", () => {
    const q = normalizeQuery("test", undefined, 10_000);
    expect(q).toMatchObject({ conditions: [], limit: 100, offset: 0, ordering: { field: "id", descending: false } });
    expect(q.layer).toBeUndefined();
    expect(q.after).toBeUndefined();
  });

  it("compiles where, orderBy, layer, limit, offset and after", () => {
    const ordering = parseOrderBy("-content.n");
    const last = { id: "r9", content: { n: 4 } } as unknown as StoredRecord;
    const after = encodeCursor(ordering, last);
    const q = normalizeQuery(
      "test",
      { layer: "gold", where: { "content.n": { gte: 1 } }, orderBy: "-content.n", limit: 10, offset: 2, after },
      10,
    );
    expect(q.layer).toBe("gold");
    expect(q.conditions).toHaveLength(1);
    expect(q.ordering.descending).toBe(true);
    expect(q).toMatchObject({ limit: 10, offset: 2, after: { value: 4, id: "r9", descending: true } });
  });

  it("treats undefined keys as absent; the default limit never exceeds maxLimit", () => {
    const q = normalizeQuery("test", { layer: undefined, where: undefined, limit: undefined, after: undefined }, 500);
    expect(q).toMatchObject({ limit: 100, offset: 0, conditions: [] });
    expect(normalizeQuery("test", {}, 5).limit).toBe(5);
  });

  it("rejects bad queries", () => {
    const after = encodeCursor(parseOrderBy("id"), { id: "a" } as StoredRecord);
    const bad: unknown[] = [
      null,
      "id",
      { sort: "id" },
      { where: { title: "x" } },
      { where: { "content.a": { like: "x" } } },
      { orderBy: "bogus" },
      { layer: "platinum" },
      { limit: 0 },
      { limit: -1 },
      { limit: 1.5 },
      { limit: "10" },
      { limit: 101 },
      { offset: -1 },
      { offset: 0.5 },
      { after: "garbage" },
      { after, orderBy: "-id" },
      { after, orderBy: "createdAt" },
    ];
    for (const query of bad) expectInvalid(() => normalizeQuery("test", query, 100));
    expect(normalizeQuery("test", { limit: 100, after }, 100).after?.id).toBe("a");
  });

  it("count queries take only layer and where", () => {
    expect(normalizeCountQuery("test", undefined)).toEqual({ conditions: [] });
    expect(normalizeCountQuery("test", { layer: "gold", where: { id: "a" } }).layer).toBe("gold");
    for (const bad of [{ limit: 5 }, { orderBy: "id" }, { where: { nope: 1 } }, { layer: "x" }, "gold"]) {
      expectInvalid(() => normalizeCountQuery("test", bad));
    }
  });
});
