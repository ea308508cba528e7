import { describe, expect, it } from "vitest";
import { compareCodePoints } from "../../filter.js";
import type { Layer, RecordQuery, StoredRecord } from "../../index.js";
import { normalizeCountQuery, normalizeQuery, selectPage } from "../index.js";
import { RecordCollection } from "./record-collection.js";
import { SortedList } from "./sorted-list.js";

// Deterministic, so a failure reproduces.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LAYERS: Layer[] = ["bronze", "silver", "gold"];
// Ids across the code-point order traps: surrogate pairs sort above U+E000–FFFF.
const ALPHABET = ["a", "b", "z", "0", "é", "\uFFFD", "\u{1F600}", "~"];

function makeId(rand: () => number): string {
  let id = "";
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) id += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return `${id}${Math.floor(rand() * 1000)}`;
}

function makeRecord(rand: () => number, id: string, prev: StoredRecord | undefined): StoredRecord {
  const at = new Date(1_700_000_000_000 + Math.floor(rand() * 50));
  const score = rand() < 0.1 ? "high" : Math.floor(rand() * 100);
  return {
    id,
    naturalKey: prev?.naturalKey ?? `${Math.floor(rand() * 50)}:${id}`,
    layer: LAYERS[Math.floor(rand() * 3)]!,
    content: rand() < 0.1 ? {} : { score, tags: ["x"] },
    metadata: {},
    createdAt: prev?.createdAt ?? at,
    updatedAt: at,
    version: (prev?.version ?? 0) + 1,
  };
}

const QUERIES: RecordQuery[] = [
  { limit: 7 },
  { orderBy: "-id", limit: 9 },
  { layer: "gold", limit: 5 },
  { layer: "silver", orderBy: "-id", limit: 11, offset: 2 },
  { where: { "content.score": { gte: 50 } }, limit: 13 },
  { orderBy: "content.score", limit: 17 },
  { orderBy: "-content.score", layer: "bronze", limit: 6, offset: 1 },
  { orderBy: "-updatedAt", where: { "content.score": { lt: 30 } }, limit: 8 },
  { orderBy: "layer", limit: 50 },
  { orderBy: "content.tags", limit: 40 },
  // Built-in orderings: kept orders, overall and per layer, in both directions.
  { orderBy: "createdAt", limit: 12 },
  { orderBy: "-createdAt", layer: "gold", limit: 10 },
  { orderBy: "updatedAt", layer: "silver", limit: 9, offset: 3 },
  { orderBy: "-updatedAt", limit: 14 },
  { orderBy: "naturalKey", layer: "bronze", limit: 8 },
  { orderBy: "-naturalKey", where: { "content.score": { gte: 20 } }, limit: 15 },
];

/** Every page of `query` from both implementations, following the cursors to the end. */
function comparePages(c: RecordCollection, query: RecordQuery): number {
  let after: string | undefined;
  let pages = 0;
  do {
    const q = normalizeQuery("memory", { ...query, after }, 10_000);
    const expected = selectPage(c.byId.values(), q);
    // Twice: the first query of an ordering sorts its matches, the second builds the view.
    for (let round = 0; round < 2; round++) {
      const actual = c.page(q);
      expect(actual.records.map((r) => r.id)).toEqual(expected.records.map((r) => r.id));
      expect(actual.next).toBe(expected.next);
    }
    after = expected.next ?? undefined;
    pages += 1;
  } while (after !== undefined);
  return pages;
}

describe("RecordCollection", () => {
  it("pages exactly like selectPage through inserts, updates, layer moves and deletes", () => {
    const rand = random(42);
    const c = new RecordCollection();
    const ids: string[] = [];
    for (let step = 0; step < 4; step++) {
      for (let i = 0; i < 400; i++) {
        const r = rand();
        if (r < 0.6 || ids.length === 0) {
          const id = makeId(rand);
          const prev = c.byId.get(id);
          c.put(id, prev, makeRecord(rand, id, prev));
          if (prev === undefined) ids.push(id);
        } else if (r < 0.85) {
          const id = ids[Math.floor(rand() * ids.length)]!;
          const prev = c.byId.get(id);
          c.put(id, prev, makeRecord(rand, id, prev));
        } else {
          const [id] = ids.splice(Math.floor(rand() * ids.length), 1);
          c.put(id!, c.byId.get(id!), undefined);
        }
      }
      for (const query of QUERIES) expect(comparePages(c, query)).toBeGreaterThan(0);
      for (const layer of [undefined, ...LAYERS]) {
        const q = normalizeCountQuery("memory", layer === undefined ? {} : { layer });
        expect(c.count(q)).toBe([...c.byId.values()].filter((r) => layer === undefined || r.layer === layer).length);
      }
    }
  });

  it("drops an order that many writes went by unread, and rebuilds it right on the next query", () => {
    const rand = random(5);
    const c = new RecordCollection();
    const write = (count: number) => {
      for (let i = 0; i < count; i++) {
        const id = makeId(rand);
        c.put(id, c.byId.get(id), makeRecord(rand, id, c.byId.get(id)));
      }
    };
    const orderings: RecordQuery[] = [
      { orderBy: "-createdAt", limit: 50 },
      { orderBy: "naturalKey", layer: "gold", limit: 50 },
    ];
    write(800);
    for (const query of orderings) comparePages(c, query);
    // More than 1,000 writes and more than half the size: both orders are dropped on the way.
    write(2500);
    for (const query of orderings) comparePages(c, query);
    write(300);
    for (const query of orderings) comparePages(c, query);
  });

  it("seeks cursors whose value is not the id's own value like the reference", () => {
    const rand = random(7);
    const c = new RecordCollection();
    for (let i = 0; i < 1500; i++) {
      const id = makeId(rand);
      c.put(id, c.byId.get(id), makeRecord(rand, id, c.byId.get(id)));
    }
    // A hand-made cursor may hold any value; the keyset cut must still match the reference.
    const cursor = (descending: boolean, value: unknown, id: string) =>
      Buffer.from(JSON.stringify(["id", descending ? 2 : 0, value, id])).toString("base64url");
    // Values of another type are forged cursors for `id` and are refused.
    for (const value of [5, null, {}, true]) {
      expect(() => normalizeQuery("memory", { orderBy: "id", after: cursor(false, value, "a") }, 10_000)).toThrow(
        /cursor|after/i,
      );
    }
    for (const [value, id] of [
      ["b", "zzz"],
      ["", "m"],
      ["\u{1F600}", "0"],
      ["a", "b"],
    ] as const) {
      for (const descending of [false, true]) {
        const q = normalizeQuery(
          "memory",
          { orderBy: descending ? "-id" : "id", after: cursor(descending, value, id), limit: 20 },
          10_000,
        );
        const expected = selectPage(c.byId.values(), q);
        const actual = c.page(q);
        expect(actual.records.map((r) => r.id)).toEqual(expected.records.map((r) => r.id));
        expect(actual.next).toBe(expected.next);
      }
    }
  });

  it("answers an empty layer and a cleared collection", () => {
    const c = new RecordCollection();
    const rand = random(3);
    c.put("a", undefined, { ...makeRecord(rand, "a", undefined), layer: "gold" });
    expect(c.page(normalizeQuery("memory", { layer: "silver" }, 100))).toEqual({ records: [], next: null });
    expect(c.clear()).toBe(1);
    expect(c.page(normalizeQuery("memory", {}, 100))).toEqual({ records: [], next: null });
    expect(c.count(normalizeCountQuery("memory", { layer: "gold" }))).toBe(0);
  });
});

describe("SortedList", () => {
  it("keeps code-point order across chunk splits and deletes", () => {
    const rand = random(11);
    const ids = new SortedList(compareCodePoints);
    const reference = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = makeId(rand);
      if (rand() < 0.25 && reference.size > 0) {
        const victim = [...reference][Math.floor(rand() * reference.size)]!;
        ids.delete(victim);
        reference.delete(victim);
      } else {
        ids.insert(id);
        reference.add(id);
      }
    }
    const sorted = [...reference].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(ids.size).toBe(sorted.length);
    expect([...ids.ascending(ids.start())]).toEqual(sorted);
    expect([...ids.descending(ids.end())]).toEqual([...sorted].reverse());
    const mid = sorted[Math.floor(sorted.length / 2)]!;
    const at = ids.firstWhere((id) => Buffer.compare(Buffer.from(id), Buffer.from(mid)) >= 0);
    expect([...ids.ascending(at)][0]).toBe(mid);
    expect([...ids.descending(at)][0]).toBe(sorted[sorted.indexOf(mid) - 1]);
  });

  // Mutation survivors: a descending walk that starts at a chunk's first or second id, a
  // repeated insert, and clear() were not pinned by any suite.
  it("walks down from every position, chunk boundaries included; ignores a repeated insert; clears", () => {
    const ids = new SortedList(compareCodePoints);
    const sorted = Array.from({ length: 1500 }, (_, i) => `id${String(i).padStart(5, "0")}`);
    for (const id of sorted) ids.insert(id);
    ids.insert(sorted[700]!);
    expect(ids.size).toBe(sorted.length);
    for (let k = 0; k <= sorted.length; k++) {
      const at = k === sorted.length ? ids.end() : ids.firstWhere((id) => id >= sorted[k]!);
      const walk = ids.descending(at);
      expect([walk.next().value, walk.next().value]).toEqual([sorted[k - 1], sorted[k - 2]]);
    }
    expect([...ids.descending(ids.end())]).toEqual([...sorted].reverse());
    ids.clear();
    expect(ids.size).toBe(0);
    expect([...ids.ascending(ids.start())]).toEqual([]);
  });
});
