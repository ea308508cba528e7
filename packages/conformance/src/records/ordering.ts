import type { RecordStore } from "@core/protocols";
import { expect, it } from "vitest";
import { sleep } from "../names.js";
import { collect, ids, type RecordsContext, rec } from "./context.js";
import { withDataset } from "./dataset.js";

const ORDER_CASES: [string, string[]][] = [
  ["id", ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]],
  ["-id", ["p7", "p6", "p5", "p4", "p3", "p2", "p1"]],
  ["naturalKey", ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]],
  ["-naturalKey", ["p7", "p6", "p5", "p4", "p3", "p2", "p1"]],
  // "bronze" < "gold" < "silver"; ties by id in the ordering's direction, so every
  // descending order is its ascending order reversed.
  ["layer", ["p1", "p4", "p7", "p3", "p5", "p2", "p6"]],
  ["-layer", ["p6", "p2", "p5", "p3", "p7", "p4", "p1"]],
  // missing/null < numbers < strings; equal numbers by id.
  ["content.score", ["p7", "p4", "p5", "p1", "p6", "p2", "p3"]],
  ["-content.score", ["p3", "p2", "p6", "p1", "p5", "p4", "p7"]],
  // Code-point order: "" < "Apricot" < "apple" < "banana" < "é" < U+FFFD < astral emoji.
  ["content.title", ["p7", "p2", "p1", "p3", "p4", "p6", "p5"]],
  ["-content.title", ["p5", "p6", "p4", "p3", "p1", "p2", "p7"]],
  // missing/null < false < true.
  ["content.flag", ["p3", "p4", "p5", "p6", "p7", "p2", "p1"]],
  ["-content.flag", ["p1", "p2", "p7", "p6", "p5", "p4", "p3"]],
  // Objects sort after every scalar and equal among themselves.
  ["content.author", ["p3", "p4", "p5", "p6", "p7", "p1", "p2"]],
  ["-content.author", ["p2", "p1", "p7", "p6", "p5", "p4", "p3"]],
  ["content.author.name", ["p3", "p4", "p5", "p6", "p7", "p1", "p2"]],
  ["metadata.src", ["p3", "p6", "p5", "p2", "p1", "p4", "p7"]],
  ["-metadata.src", ["p7", "p4", "p1", "p2", "p5", "p6", "p3"]],
  ["content.nowhere", ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]],
  ["-content.nowhere", ["p7", "p6", "p5", "p4", "p3", "p2", "p1"]],
];

async function threeInTime(store: RecordStore) {
  // Small gaps give each record its own millisecond.
  const c1 = await store.store(rec("c1", { i: 1 }));
  await sleep(3);
  const c2 = await store.store(rec("c2", { i: 2 }));
  await sleep(3);
  const c3 = await store.store(rec("c3", { i: 3 }));
  return { c1, c2, c3 };
}

/**
 * orderBy on every field kind, both directions, ties by id; createdAt/updatedAt filters
 * and ordering with Dates (PROTOCOLS.md §3).
 *
 * @example
 * ```ts
 * describe("ordering", () => registerRecordOrdering(ctx));
 * ```
 */
export function registerRecordOrdering(ctx: RecordsContext): void {
  it("orderBy sorts by the field (asc and desc) with ties broken by id in the same direction", async () => {
    const store = await withDataset(ctx.store());
    for (const [orderBy, expected] of ORDER_CASES) {
      const found = ids(await collect(() => store.query({ orderBy: orderBy as never })));
      expect(found, orderBy).toEqual(expected);
    }
  });

  it("orderBy combines with where, layer, limit and offset", async () => {
    const store = await withDataset(ctx.store());
    const found = await collect(() =>
      store.query({ where: { "content.score": { exists: true } }, orderBy: "-content.score", offset: 1, limit: 3 }),
    );
    expect(ids(found)).toEqual(["p2", "p6", "p1"]);
    expect(ids(await collect(() => store.query({ layer: "bronze", orderBy: "-content.title" })))).toEqual([
      "p4",
      "p1",
      "p7",
    ]);
  });

  it("ids sort by code point: uppercase, accents and astral characters", async () => {
    const store = ctx.store();
    const keys = ["b", "B", "a", "é", "e", "\uFFFD", "\u{1F600}", "Z", "aa", "A1"];
    for (const id of keys) await store.store(rec(id));
    const expected = ["A1", "B", "Z", "a", "aa", "b", "e", "é", "\uFFFD", "\u{1F600}"];
    expect(ids(await collect(() => store.query()))).toEqual(expected);
    expect(ids(await collect(() => store.query({ orderBy: "-id" })))).toEqual([...expected].reverse());
    expect(ids(await collect(() => store.query({ where: { id: { gt: "\uFFFD" } } })))).toEqual(["\u{1F600}"]);
  });

  it("createdAt filters compare with Dates (gt, gte, lt, lte, eq, ne, in)", async () => {
    const store = ctx.store();
    const { c1, c2, c3 } = await threeInTime(store);
    const found = async (where: object) => ids(await collect(() => store.query({ where: where as never })));
    expect(await found({ createdAt: { gt: c1.createdAt } })).toEqual(["c2", "c3"]);
    expect(await found({ createdAt: { gte: c2.createdAt } })).toEqual(["c2", "c3"]);
    expect(await found({ createdAt: { lt: c3.createdAt } })).toEqual(["c1", "c2"]);
    expect(await found({ createdAt: { lte: c1.createdAt } })).toEqual(["c1"]);
    expect(await found({ createdAt: c2.createdAt })).toEqual(["c2"]);
    expect(await found({ createdAt: { eq: new Date(c3.createdAt.getTime()) } })).toEqual(["c3"]);
    expect(await found({ createdAt: { ne: c2.createdAt } })).toEqual(["c1", "c3"]);
    expect(await found({ createdAt: { in: [c1.createdAt, c3.createdAt] } })).toEqual(["c1", "c3"]);
    expect(await found({ createdAt: { gt: c1.createdAt, lt: c3.createdAt } })).toEqual(["c2"]);
    expect(await found({ createdAt: { exists: true } })).toEqual(["c1", "c2", "c3"]);
    // Type-strict: strings and numbers never equal a Date field.
    expect(await found({ createdAt: c2.createdAt.toISOString() })).toEqual([]);
    expect(await found({ createdAt: { gt: 0 } })).toEqual([]);
    expect(await store.count({ where: { createdAt: { gte: c2.createdAt } } })).toBe(2);
  });

  it("createdAt and updatedAt order; an update moves only updatedAt", async () => {
    const store = ctx.store();
    const { c1, c2, c3 } = await threeInTime(store);
    const order = async (orderBy: string) => ids(await collect(() => store.query({ orderBy: orderBy as never })));
    expect(await order("createdAt")).toEqual(["c1", "c2", "c3"]);
    expect(await order("-createdAt")).toEqual(["c3", "c2", "c1"]);
    await sleep(3);
    const updated = await store.store(rec("c1", { i: 10 }));
    expect(updated.updatedAt.getTime()).toBeGreaterThan(c3.updatedAt.getTime());
    expect(await order("-updatedAt")).toEqual(["c1", "c3", "c2"]);
    expect(await order("updatedAt")).toEqual(["c2", "c3", "c1"]);
    expect(await order("createdAt")).toEqual(["c1", "c2", "c3"]);
    const since = ids(await collect(() => store.query({ where: { updatedAt: { gt: c3.updatedAt } } })));
    expect(since).toEqual(["c1"]);
    expect(ids(await collect(() => store.query({ where: { updatedAt: c2.updatedAt } })))).toEqual(["c2"]);
    expect(c1.createdAt.getTime()).toBe(updated.createdAt.getTime());
  });
}
