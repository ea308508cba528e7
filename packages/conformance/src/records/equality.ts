import { type Filter, LAYERS, type RecordQuery, type RecordStore, type StoredRecord } from "@core/protocols";
import { compareRecords, compileFilter, matchesFilter, parseOrderBy } from "@core/protocols/kit";
import { expect, it } from "vitest";
import { collect, ids, type RecordsContext, rec } from "./context.js";
import { pageThrough } from "./paging.js";

type Check = [Filter, string[], RecordQuery["layer"]?];

async function expectMatches(store: RecordStore, checks: Check[]): Promise<void> {
  for (const [where, expected, layer] of checks) {
    const label = JSON.stringify({ where, layer });
    const query = layer === undefined ? { where } : { where, layer };
    expect(ids(await collect(() => store.query(query))), label).toEqual(expected);
    expect(await store.count(query), label).toBe(expected.length);
  }
}

/**
 * Equality filters on content and metadata paths after every kind of write (backends that
 * index equalities must keep the index exact: an update leaves its old values, a delete
 * all of them, a promotion changes only the layer), and a dense equality paged in every
 * built-in ordering (PROTOCOLS.md §3).
 *
 * @example
 * ```ts
 * describe("equality filters", () => registerRecordEquality(ctx));
 * ```
 */
export function registerRecordEquality(ctx: RecordsContext): void {
  it("equalities follow updates, deletes and promotions; type-strict on nested paths", async () => {
    const store = ctx.store();
    await store.storeBatch([
      rec("a", { tag: "x", n: 1, deep: { k: true }, list: ["x"] }, { metadata: { src: "s" } }),
      rec("b", { tag: "y", n: "1", deep: { k: false } }),
      rec("c", { tag: "x", n: 1.0, deep: null }),
    ]);
    await expectMatches(store, [
      [{ "content.tag": "x" }, ["a", "c"]],
      [{ "content.n": 1 }, ["a", "c"]],
      [{ "content.n": "1" }, ["b"]],
      [{ "content.deep.k": true }, ["a"]],
      [{ "content.deep.k": { eq: false } }, ["b"]],
      [{ "content.deep.k": "true" }, []],
      [{ "content.deep.k": null }, ["c"]],
      [{ "content.list": "x" }, []],
      [{ "content.list.0": "x" }, []],
      [{ "metadata.src": "s" }, ["a"]],
      [{ "content.tag": { in: ["x", "y", null, 5] } }, ["a", "b", "c"]],
      [{ "content.tag": "x", "content.n": { gte: 1 } }, ["a", "c"]],
      [{ "content.tag": "x", "content.deep.k": true }, ["a"]],
      [{ "content.tag": "x", id: { ne: "a" } }, ["c"]],
    ]);
    await store.store(rec("a", { tag: "y", n: 1, deep: { k: "true" } }, { metadata: { src: "t" } }));
    await store.store(rec("b", { n: "1" }));
    await expectMatches(store, [
      [{ "content.tag": "x" }, ["c"]],
      [{ "content.tag": "y" }, ["a"]],
      [{ "content.tag": null }, ["b"]],
      [{ "content.deep.k": true }, []],
      [{ "content.deep.k": "true" }, ["a"]],
      [{ "content.deep.k": false }, []],
      [{ "metadata.src": "s" }, []],
      [{ "metadata.src": "t" }, ["a"]],
    ]);
    expect(await store.delete("c")).toBe(true);
    await store.promote("a", "gold");
    await expectMatches(store, [
      [{ "content.tag": "x" }, []],
      [{ "content.n": 1 }, ["a"]],
      [{ "content.n": 1 }, ["a"], "gold"],
      [{ "content.n": 1 }, [], "bronze"],
      [{ "content.n": { in: [1, "1"] } }, ["b"], "bronze"],
    ]);
    await store.store(rec("c", { tag: "x" }));
    await expectMatches(store, [[{ "content.tag": "x" }, ["c"]]]);
  });

  // Redis reads a small equality's records whole but walks a dense one in order: both
  // must give the same pages, cursors and counts as any other backend.
  it("a dense equality pages, skips and counts exactly in every built-in ordering", async () => {
    const store = ctx.store();
    const n = 4600;
    const base = Date.UTC(2020, 0, 1);
    const inputs = Array.from({ length: n }, (_, i) =>
      rec(
        `d${String(i).padStart(5, "0")}`,
        { tag: i % 23 === 0 ? "other" : "dense", half: i % 2 === 0, i },
        {
          layer: LAYERS[i % 3],
          naturalKey: `k${(i * 7919) % n}`,
          createdAt: new Date(base + ((i * 31) % 97) * 1000),
          updatedAt: new Date(base + 100_000 + ((i * 53) % 89) * 1000),
        },
      ),
    );
    await store.storeBatch(inputs, { preserveTimestamps: true });
    const all = (await pageThrough(store, { limit: 1000 })).records;
    const where = { "content.tag": "dense" };
    const residual = { "content.tag": "dense", "content.i": { gte: 2000 } };
    // About half the records: read whole and sorted by redis, over several bounded calls.
    const half = { "content.half": true, "content.i": { gte: 100 } };
    const matching = (filter: Filter, layer?: string) =>
      all.filter((r) => (layer === undefined || r.layer === layer) && matchesFilter(r, compileFilter(filter)));
    expect(await store.count({ where })).toBe(matching(where).length);
    expect(await store.count({ where, layer: "silver" })).toBe(matching(where, "silver").length);
    expect(await store.count({ where: residual })).toBe(matching(residual).length);
    expect(await store.count({ where: residual, layer: "gold" })).toBe(matching(residual, "gold").length);
    expect(await store.count({ where: half })).toBe(matching(half).length);
    const orderings = ["id", "naturalKey", "createdAt", "updatedAt"].flatMap((f) => [f, `-${f}`]);
    for (const orderBy of orderings as RecordQuery["orderBy"][]) {
      const sorted = (records: StoredRecord[]) =>
        ids([...records].sort((a, b) => compareRecords(a, b, parseOrderBy(orderBy))));
      const expected = sorted(matching(where));
      const first = await store.queryPage({ where, orderBy, limit: 100 });
      expect(ids(first.records), orderBy).toEqual(expected.slice(0, 100));
      const second = await store.queryPage({ where, orderBy, limit: 100, after: first.next ?? undefined });
      expect(ids(second.records), orderBy).toEqual(expected.slice(100, 200));
      const skipped = await store.queryPage({ where, orderBy, offset: 3000, limit: 10 });
      expect(ids(skipped.records), orderBy).toEqual(expected.slice(3000, 3010));
      const gold = await store.queryPage({ where: residual, layer: "gold", orderBy, limit: 50 });
      expect(ids(gold.records), orderBy).toEqual(sorted(matching(residual, "gold")).slice(0, 50));
      const halves = await store.queryPage({ where: half, orderBy, offset: 1500, limit: 10 });
      expect(ids(halves.records), orderBy).toEqual(sorted(matching(half)).slice(1500, 1510));
    }
  });
}
