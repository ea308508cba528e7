import type { RecordStore } from "@core/protocols";
import { expect, it } from "vitest";
import { collect, expectCode, expectIds, type RecordsContext, rec } from "./context.js";

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

/** Contents every backend rejects: records hold JSON objects, nothing else. */
const BAD_CONTENT: [string, () => unknown][] = [
  ["missing", () => undefined],
  ["null", () => null],
  ["an array", () => [1, 2]],
  ["a string", () => "text"],
  ["a number", () => 5],
  ["a Date", () => new Date()],
  ["a Map", () => new Map([["a", 1]])],
  ["an undefined field", () => ({ a: undefined })],
  ["a nested undefined", () => ({ a: { b: [1, undefined] } })],
  ["a Date field", () => ({ at: new Date() })],
  ["a bigint", () => ({ n: 1n })],
  ["a function", () => ({ f: () => 1 })],
  ["a symbol", () => ({ s: Symbol("s") })],
  ["NaN", () => ({ n: Number.NaN })],
  ["Infinity", () => ({ n: Number.NEGATIVE_INFINITY })],
  ["bytes", () => ({ b: new Uint8Array([1]) })],
  ["a class instance", () => ({ c: new (class Thing {})() })],
  ["a cycle", cyclic],
  ["a __proto__ key", () => JSON.parse('{"__proto__": {"polluted": true}}')],
  ["a nested __proto__ key", () => ({ a: [JSON.parse('{"__proto__": 1}')] })],
  ["a constructor key", () => ({ constructor: { prototype: { polluted: true } } })],
  ["a prototype key", () => ({ a: { prototype: 1 } })],
  ["a lone surrogate", () => ({ s: "\uD800" })],
  ["U+0000", () => ({ s: "a\u0000b" })],
];

const BAD_WHERE: unknown[] = [
  { title: "x" },
  { content: "x" },
  { "content.": 1 },
  { "content..a": 1 },
  { "content.a b": 1 },
  { "content.a'b": 1 },
  { "content.a; DROP TABLE records": 1 },
  { "content.a') OR 1=1 --": 1 },
  { 'metadata."x"': 1 },
  { "content.__proto__": 1 },
  { "content.constructor": 1 },
  { "metadata.prototype.x": 1 },
  { constructor: 1 },
  JSON.parse('{"__proto__": {"eq": 1}}'),
  { "content.a": { like: "%" } },
  { "content.a": { $eq: 1 } },
  { "content.a": { eq: 1, regex: "." } },
  { "content.a": {} },
  { "content.a": { eq: { nested: 1 } } },
  { "content.a": { in: "x" } },
  { "content.a": { exists: "yes" } },
  { "content.a": { prefix: 1 } },
  { "content.a": Number.NaN },
  { "content.a": [1] },
  "id = 'a'",
  [],
  null,
];

const BAD_QUERIES: unknown[] = [
  { sort: "id" },
  { orderBy: "title" },
  { orderBy: "content.__proto__" },
  { orderBy: "id; DROP TABLE records" },
  { orderBy: "content.a desc" },
  { orderBy: 1 },
  { layer: "platinum" },
  { layer: "Gold" },
  { limit: 0 },
  { limit: -1 },
  { limit: 1.5 },
  { limit: "10" },
  { limit: 10_001 },
  { offset: -1 },
  { offset: 0.5 },
  { offset: "1" },
  "layer = gold",
];

async function expectEmpty(store: RecordStore): Promise<void> {
  await expectIds(store, []);
}

/**
 * Bad input is INVALID_ARGUMENT and nothing is written (PROTOCOLS.md §0, §3).
 *
 * @example
 * ```ts
 * describe("bad input", () => registerRecordValidation(ctx));
 * ```
 */
export function registerRecordValidation(ctx: RecordsContext): void {
  it("content and metadata must be JSON objects; nothing is written otherwise", async () => {
    const store = ctx.store();
    for (const [what, make] of BAD_CONTENT) {
      await expectCode(() => store.store({ id: "a", naturalKey: "k", content: make() } as never), "INVALID_ARGUMENT");
      if (what !== "missing") {
        await expectCode(() => store.store({ ...rec("a"), metadata: make() } as never), "INVALID_ARGUMENT");
        await expectCode(
          () => store.recordSighting({ naturalKey: "k", source: "s", metadata: make() } as never),
          "INVALID_ARGUMENT",
        );
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectEmpty(store);
    expect(await store.getSightings("k")).toEqual([]);
  });

  it("ids, natural keys, layers and record fields are validated", async () => {
    const store = ctx.store();
    const bad: unknown[] = [
      { id: "", naturalKey: "k", content: {} },
      { id: 1, naturalKey: "k", content: {} },
      { id: "\uDC00", naturalKey: "k", content: {} },
      { id: "x".repeat(1025), naturalKey: "k", content: {} },
      { naturalKey: "k", content: {} },
      { id: "a", naturalKey: "", content: {} },
      { id: "a", naturalKey: null, content: {} },
      { id: "a", content: {} },
      { id: "a", naturalKey: "k", layer: "platinum", content: {} },
      { id: "a", naturalKey: "k", layer: "", content: {} },
      { id: "a", naturalKey: "k", content: {}, score: 1 },
      null,
      "a",
      [],
    ];
    for (const record of bad) await expectCode(() => store.store(record as never), "INVALID_ARGUMENT");
    await expectCode(() => store.store(rec("a"), { expectedVersion: -1 }), "INVALID_ARGUMENT");
    await expectCode(() => store.store(rec("a"), { expectedVersion: 1.5 }), "INVALID_ARGUMENT");
    await expectCode(() => store.store(rec("a"), { version: 1 } as never), "INVALID_ARGUMENT");
    await expectEmpty(store);
  });

  it("-0 in content is stored as 0 (JSON has no negative zero)", async () => {
    const store = ctx.store();
    const stored = await store.store(rec("a", { z: -0 }));
    expect(Object.is(stored.content.z, 0)).toBe(true);
    expect(Object.is((await store.get("a"))?.content.z, 0)).toBe(true);
  });

  it("get, exists, delete and natural-key lookups validate their arguments", async () => {
    const store = ctx.store();
    await store.store(rec("a"));
    for (const id of ["", 5, null, undefined, "\uD800"]) {
      await expectCode(() => store.get(id as never), "INVALID_ARGUMENT");
      await expectCode(() => store.exists(id as never), "INVALID_ARGUMENT");
      await expectCode(() => store.delete(id as never), "INVALID_ARGUMENT");
      await expectCode(() => store.getByNaturalKey(id as never), "INVALID_ARGUMENT");
      await expectCode(() => store.existsByNaturalKey(id as never), "INVALID_ARGUMENT");
      await expectCode(() => store.getSightings(id as never), "INVALID_ARGUMENT");
    }
    for (const layer of ["platinum", "", "GOLD", 1, null]) {
      await expectCode(() => store.get("a", layer as never), "INVALID_ARGUMENT");
      await expectCode(() => store.exists("a", layer as never), "INVALID_ARGUMENT");
      await expectCode(() => store.delete("a", layer as never), "INVALID_ARGUMENT");
    }
    await expectIds(store, ["a"]);
  });

  it("unknown fields, operators, forbidden keys and bad paths in filters are INVALID_ARGUMENT", async () => {
    const store = ctx.store();
    await store.store(rec("a", { a: 1 }));
    for (const where of BAD_WHERE) {
      await expectCode(() => collect(() => store.query({ where: where as never })), "INVALID_ARGUMENT");
      await expectCode(() => store.queryPage({ where: where as never }), "INVALID_ARGUMENT");
      await expectCode(() => store.count({ where: where as never }), "INVALID_ARGUMENT");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectIds(store, ["a"]);
  });

  it("bad orderBy, layer, limit, offset and unknown query keys are INVALID_ARGUMENT", async () => {
    const store = ctx.store();
    await store.store(rec("a"));
    for (const query of BAD_QUERIES) {
      await expectCode(() => collect(() => store.query(query as never)), "INVALID_ARGUMENT");
      await expectCode(() => store.queryPage(query as never), "INVALID_ARGUMENT");
    }
    for (const query of [{ layer: "x" }, { limit: 5 }, { orderBy: "id" }, { bogus: 1 }, "gold"]) {
      await expectCode(() => store.count(query as never), "INVALID_ARGUMENT");
    }
  });

  it("SQL-looking values are plain values: they match literally and harm nothing", async () => {
    const store = ctx.store();
    const evil = ["' OR '1'='1", "'); DROP TABLE records; --", '" OR ""="', "\\'", "%", "_", "*", "$1", "?"];
    for (const [i, value] of evil.entries()) await store.store(rec(`r${i}`, { v: value }, { metadata: { v: value } }));
    for (const [i, value] of evil.entries()) {
      expect((await collect(() => store.query({ where: { "content.v": value } }))).map((r) => r.id)).toEqual([`r${i}`]);
      expect(await store.count({ where: { "metadata.v": { prefix: value } } })).toBeGreaterThanOrEqual(1);
    }
    expect(await store.count({ where: { "content.v": { prefix: "%" } } })).toBe(1);
    expect(await store.count({ where: { "content.v": { prefix: "_" } } })).toBe(1);
    expect(await store.count()).toBe(evil.length);
  });

  it("sightings are validated before anything is written", async () => {
    const store = ctx.store();
    const bad: unknown[] = [
      { naturalKey: "", source: "s" },
      { naturalKey: "k", source: "" },
      { naturalKey: "k", source: "x".repeat(257) },
      { naturalKey: "k", source: 1 },
      { naturalKey: "k" },
      { source: "s" },
      { naturalKey: "k", source: "s", seenAt: new Date(Number.NaN) },
      { naturalKey: "k", source: "s", seenAt: "2024-01-01" },
      { naturalKey: "k", source: "s", contentHash: 5 },
      { naturalKey: "k", source: "s", extra: 1 },
      null,
    ];
    for (const sighting of bad) await expectCode(() => store.recordSighting(sighting as never), "INVALID_ARGUMENT");
    expect(await store.getSightings("k")).toEqual([]);
    expect(await store.recordSighting({ naturalKey: "k", source: "x".repeat(256) })).toBe(true);
  });

  it("bad store names and options are INVALID_ARGUMENT", async () => {
    for (const name of ["", "x".repeat(129), "a\u0000b", "line\nbreak", 5]) {
      await expectCode(async () => {
        const store = ctx.backend.records(name as never);
        await store.count();
      }, "INVALID_ARGUMENT");
    }
    for (const options of [{ maxLimit: 0 }, { maxLimit: 1.5 }, { maxLimit: "10" }, { bogus: 1 }]) {
      await expectCode(async () => {
        const store = ctx.store(options as never);
        await store.count();
      }, "INVALID_ARGUMENT");
    }
  });
}
