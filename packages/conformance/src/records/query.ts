import type { Filter, RecordQuery } from "@core/protocols";
import { expect, it } from "vitest";
import { collect, expectCode, ids, type RecordsContext, rec } from "./context.js";
import { withDataset } from "./dataset.js";

type Case = [Filter, string[]];

const OPERATOR_CASES: Record<string, Case[]> = {
  eq: [
    [{ "content.score": 5 }, ["p1", "p6"]],
    [{ "content.score": { eq: 5 } }, ["p1", "p6"]],
    [{ "content.score": "5" }, ["p3"]],
    [{ layer: "gold" }, ["p3", "p5"]],
    [{ id: "p2" }, ["p2"]],
    [{ naturalKey: "nk:p2" }, ["p2"]],
    [{ "metadata.src": "rss" }, ["p1", "p4"]],
    [{ "content.author.name": "Ann" }, ["p1"]],
    [{ "content.nested.deep.k": "v" }, ["p6"]],
    [{ "content.flag": false }, ["p2"]],
    [{ "content.flag": true }, ["p1"]],
    [{ "content.title": "" }, ["p7"]],
    [{ "content.title": "Apple" }, []],
    [{ "metadata.src": "x'; drop table t; --" }, ["p7"]],
    [{ "content.title": "' OR '1'='1" }, []],
  ],
  "eq null": [
    [{ "content.score": null }, ["p7"]],
    [{ "content.author": { eq: null } }, ["p3", "p4", "p5", "p6", "p7"]],
    [{ "content.flag": null }, ["p3", "p4", "p5", "p6", "p7"]],
  ],
  ne: [
    [{ "content.score": { ne: 5 } }, ["p2", "p4", "p5"]],
    [{ "content.score": { ne: "5" } }, []],
    [{ layer: { ne: "bronze" } }, ["p2", "p3", "p5", "p6"]],
    [{ "content.flag": { ne: true } }, ["p2"]],
    [{ "metadata.rank": { ne: 1 } }, ["p4"]],
  ],
  in: [
    [{ "content.score": { in: [5, "5", 0] } }, ["p1", "p3", "p5", "p6"]],
    [{ id: { in: ["p1", "p7", "zzz"] } }, ["p1", "p7"]],
    [{ "content.score": { in: [] } }, []],
    [{ "content.flag": { in: [true, false] } }, ["p1", "p2"]],
    [{ "content.title": { in: ["é", "\u{1F600}"] } }, ["p4", "p5"]],
  ],
  "gt gte lt lte": [
    [{ "content.score": { gt: 0 } }, ["p1", "p2", "p6"]],
    [{ "content.score": { gte: 0 } }, ["p1", "p2", "p5", "p6"]],
    [{ "content.score": { lt: 5 } }, ["p4", "p5"]],
    [{ "content.score": { lte: 5 } }, ["p1", "p4", "p5", "p6"]],
    [{ "content.score": { gt: 0, lt: 10 } }, ["p1", "p6"]],
    [{ "content.score": { gt: "4" } }, ["p3"]],
    [{ "content.title": { gt: "b" } }, ["p3", "p4", "p5", "p6"]],
    [{ "content.title": { gt: "\uFFFD" } }, ["p5"]],
    [{ "content.title": { gte: "\uFFFD" } }, ["p5", "p6"]],
    [{ "content.title": { lt: "a" } }, ["p2", "p7"]],
    [{ "content.title": { lte: "apple" } }, ["p1", "p2", "p7"]],
    [{ "content.flag": { gt: false } }, ["p1"]],
    [{ "metadata.rank": { gte: 2 } }, ["p4"]],
    [{ id: { gt: "p5" } }, ["p6", "p7"]],
    [{ layer: { lt: "gold" } }, ["p1", "p4", "p7"]],
  ],
  exists: [
    [{ "content.author": { exists: true } }, ["p1", "p2"]],
    [{ "content.author": { exists: false } }, ["p3", "p4", "p5", "p6", "p7"]],
    [{ "content.tags": { exists: true } }, ["p1"]],
    [{ "content.nested": { exists: true } }, ["p6"]],
    [{ "content.score": { exists: true } }, ["p1", "p2", "p3", "p4", "p5", "p6"]],
    [{ "metadata.rank": { exists: true } }, ["p1", "p4"]],
    [{ "metadata.src": { exists: false } }, ["p3", "p6"]],
    [{ "content.author.name": { exists: true } }, ["p1", "p2"]],
    [{ "content.tags.0": { exists: true } }, []],
  ],
  prefix: [
    [{ "content.title": { prefix: "Ap" } }, ["p2"]],
    [{ "content.title": { prefix: "ap" } }, ["p1"]],
    [{ "content.title": { prefix: "" } }, ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]],
    [{ "content.score": { prefix: "5" } }, ["p3"]],
    [{ "metadata.src": { prefix: "x'" } }, ["p7"]],
    [{ "metadata.src": { prefix: "%" } }, []],
    [{ "content.title": { prefix: "_" } }, []],
    [{ naturalKey: { prefix: "nk:p" } }, ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]],
    [{ "content.author": { prefix: "" } }, []],
  ],
  combined: [
    [{ layer: "bronze", "content.score": { gte: 0 } }, ["p1"]],
    [{ "metadata.src": "rss", "content.flag": { exists: false } }, ["p4"]],
    [{ "content.score": { exists: true, ne: 5 }, layer: { in: ["gold", "silver"] } }, ["p2", "p5"]],
  ],
};

/**
 * Filters with every operator on top-level fields, content paths, nested paths and
 * metadata; layer; count; limit/offset (PROTOCOLS.md §3, filter.ts semantics).
 *
 * @example
 * ```ts
 * describe("query", () => registerRecordQuery(ctx));
 * ```
 */
export function registerRecordQuery(ctx: RecordsContext): void {
  for (const [operator, cases] of Object.entries(OPERATOR_CASES)) {
    it(`where with ${operator} matches exactly the documented records`, async () => {
      const store = await withDataset(ctx.store());
      for (const [where, expected] of cases) {
        const found = ids(await collect(() => store.query({ where })));
        expect(found, JSON.stringify(where)).toEqual(expected);
        expect(await store.count({ where }), JSON.stringify(where)).toBe(expected.length);
      }
    });
  }

  it("layer narrows query and count, alone and with where", async () => {
    const store = await withDataset(ctx.store());
    expect(ids(await collect(() => store.query({ layer: "gold" })))).toEqual(["p3", "p5"]);
    expect(ids(await collect(() => store.query({ layer: "bronze", where: { "metadata.src": "rss" } })))).toEqual([
      "p1",
      "p4",
    ]);
    expect(await store.count({ layer: "bronze" })).toBe(3);
    expect(await store.count({ layer: "silver", where: { "content.score": 5 } })).toBe(1);
    expect(await store.count()).toBe(7);
    expect(await store.count({})).toBe(7);
  });

  it("returns whole records equal to what get returns", async () => {
    const store = await withDataset(ctx.store());
    const all = await collect(() => store.query());
    expect(all).toHaveLength(7);
    for (const record of all) expect(await store.get(record.id)).toEqual(record);
    expect((await store.queryPage({ where: { id: "p6" } })).records).toEqual([await store.get("p6")]);
  });

  it("limit and offset page in order; query yields at most limit records", async () => {
    const store = await withDataset(ctx.store());
    const page = (q: RecordQuery) => collect(() => store.query(q)).then(ids);
    expect(await page({ limit: 2, offset: 1 })).toEqual(["p2", "p3"]);
    expect(await page({ limit: 1 })).toEqual(["p1"]);
    expect(await page({ offset: 6 })).toEqual(["p7"]);
    expect(await page({ offset: 100 })).toEqual([]);
    expect(await page({ orderBy: "-id", limit: 3, offset: 2 })).toEqual(["p5", "p4", "p3"]);
    expect(await page({ where: { "content.score": { exists: true } }, offset: 4, limit: 5 })).toEqual(["p5", "p6"]);
  });

  it("limit defaults to 100 and may not exceed maxLimit", async () => {
    const store = ctx.store();
    await store.storeBatch(Array.from({ length: 120 }, (_, i) => rec(`r${String(i).padStart(3, "0")}`)));
    expect(await collect(() => store.query())).toHaveLength(100);
    expect(await collect(() => store.query({ limit: 120 }))).toHaveLength(120);
    const small = ctx.backend.records(store.name, { maxLimit: 5 });
    expect(await collect(() => small.query({ limit: 5 }))).toHaveLength(5);
    expect(await collect(() => small.query())).toHaveLength(5);
    await expectCode(() => collect(() => small.query({ limit: 6 })), "INVALID_ARGUMENT");
    await expectCode(() => small.queryPage({ limit: 6 }), "INVALID_ARGUMENT");
  });

  it("an empty collection queries and counts as empty", async () => {
    const store = ctx.store();
    expect(await collect(() => store.query())).toEqual([]);
    expect(await store.queryPage()).toEqual({ records: [], next: null });
    expect(await store.count()).toBe(0);
  });
}
