import { LAYERS, type RecordQuery, type RecordStore, type StoredRecord } from "@core/protocols";
import { compareRecords, parseOrderBy } from "@core/protocols/kit";
import { expect, it } from "vitest";
import { collect, expectCode, ids, type RecordsContext, rec } from "./context.js";

/**
 * Follows `next` cursors from the first page to the end and returns every record seen.
 *
 * @example
 * ```ts
 * const all = await pageThrough(store, { orderBy: "-id", limit: 40 });
 * ```
 */
export async function pageThrough(
  store: RecordStore,
  query: RecordQuery,
): Promise<{ records: StoredRecord[]; pages: number }> {
  const records: StoredRecord[] = [];
  let after: string | undefined;
  for (let pages = 1; pages < 10_000; pages++) {
    const page = await store.queryPage(after === undefined ? query : { ...query, after });
    records.push(...page.records);
    if (page.next === null) return { records, pages };
    expect(typeof page.next).toBe("string");
    expect(page.records.length, "a page with a next cursor is full").toBe(query.limit ?? 100);
    after = page.next;
  }
  throw new Error("paging never ended");
}

const GROUPS = 7;

async function fill(store: RecordStore, n: number): Promise<string[]> {
  const records = Array.from({ length: n }, (_, i) =>
    rec(`r${String((i * 37) % n).padStart(3, "0")}`, { group: i % GROUPS, odd: i % 2 === 1 }),
  );
  await store.storeBatch(records);
  return records.map((r) => r.id).sort();
}

/**
 * Keyset pagination with `queryPage` cursors (PROTOCOLS.md §3 `after`).
 *
 * @example
 * ```ts
 * describe("cursors", () => registerRecordPaging(ctx));
 * ```
 */
export function registerRecordPaging(ctx: RecordsContext): void {
  it("queryPage pages 250 records by 40, each exactly once and in order (asc and desc)", async () => {
    const store = ctx.store();
    const sorted = await fill(store, 250);
    const asc = await pageThrough(store, { limit: 40 });
    expect(asc.pages).toBe(7);
    expect(ids(asc.records)).toEqual(sorted);
    const desc = await pageThrough(store, { orderBy: "-id", limit: 40 });
    expect(ids(desc.records)).toEqual([...sorted].reverse());
  });

  it("pages a content field with many duplicates exactly once, ties by id, both directions", async () => {
    const store = ctx.store();
    await fill(store, 250);
    for (const orderBy of ["content.group", "-content.group", "content.odd", "-content.odd"] as const) {
      const expected = ids(await collect(() => store.query({ orderBy, limit: 250 })));
      expect(new Set(expected).size).toBe(250);
      const { records } = await pageThrough(store, { orderBy, limit: 40 });
      expect(ids(records), orderBy).toEqual(expected);
    }
    const byGroup = ids(await collect(() => store.query({ orderBy: "-content.group", limit: 250 })));
    const groups = await Promise.all(byGroup.slice(0, 3).map((id) => store.get(id)));
    expect(groups.map((r) => r?.content.group)).toEqual([6, 6, 6]);
    // Ties follow the direction: the first group of a descending order comes by id descending.
    expect(byGroup.slice(0, 3)).toEqual([...byGroup.slice(0, 3)].sort().reverse());
  });

  it("ties follow the ordering's direction: a batch sharing one time pages by id both ways", async () => {
    const store = ctx.store();
    // 23 records at one instant, between one earlier and one later, ids not in write order;
    // every layer holds part of the tie run.
    const at = { createdAt: "2024-05-01T00:00:00.000Z", updatedAt: "2024-05-02T00:00:00.000Z" };
    const tied = Array.from({ length: 23 }, (_, i) =>
      rec(`t${String((i * 7) % 23).padStart(2, "0")}`, {}, { ...at, layer: LAYERS[i % 3] }),
    );
    const early = rec("z-early", {}, { createdAt: "2024-04-01T00:00:00.000Z", updatedAt: "2024-04-01T00:00:00.000Z" });
    const late = rec("a-late", {}, { createdAt: "2024-06-01T00:00:00.000Z", updatedAt: "2024-06-01T00:00:00.000Z" });
    await store.storeBatch([...tied, early, late], { preserveTimestamps: true });
    const run = tied.map((r) => r.id).sort();
    for (const field of ["createdAt", "updatedAt"] as const) {
      const ascending = ["z-early", ...run, "a-late"];
      expect(ids(await collect(() => store.query({ orderBy: field }))), field).toEqual(ascending);
      expect(ids(await collect(() => store.query({ orderBy: `-${field}` }))), `-${field}`).toEqual(
        [...ascending].reverse(),
      );
      // Keyset pages cut the tie run in the middle, in both directions, across and within layers.
      for (const orderBy of [field, `-${field}`] as const) {
        for (const layer of [undefined, "silver"] as const) {
          const expected = ids(await collect(() => store.query({ orderBy, layer })));
          const { records, pages } = await pageThrough(store, { orderBy, layer, limit: 4 });
          expect(ids(records), `${orderBy} ${layer ?? "all"}`).toEqual(expected);
          expect(pages).toBeGreaterThan(1);
        }
      }
    }
    // A batch the store timestamps itself: records sharing a time come by id in the
    // ordering's direction.
    const fresh = ctx.store();
    await fresh.storeBatch(Array.from({ length: 30 }, (_, i) => rec(`f${String((i * 11) % 30).padStart(2, "0")}`)));
    for (const orderBy of ["createdAt", "-createdAt", "updatedAt", "-updatedAt"] as const) {
      const { records } = await pageThrough(fresh, { orderBy, limit: 7 });
      expect(records).toHaveLength(30);
      const sign = orderBy.startsWith("-") ? -1 : 1;
      for (let i = 1; i < records.length; i++) {
        const [a, b] = [records[i - 1]!, records[i]!];
        const time = orderBy.endsWith("createdAt") ? "createdAt" : "updatedAt";
        const byTime = Math.sign(b[time].getTime() - a[time].getTime()) * sign;
        expect(byTime, orderBy).toBeGreaterThanOrEqual(0);
        if (byTime === 0) expect(sign * (a.id < b.id ? 1 : -1), `${orderBy} ${a.id} ${b.id}`).toBe(1);
      }
    }
  });

  it("pages with a filter, a layer and createdAt ordering", async () => {
    const store = ctx.store();
    await fill(store, 250);
    const where = { "content.group": { in: [1, 3, 5] } };
    const expected = ids(await collect(() => store.query({ where, orderBy: "-createdAt", limit: 250 })));
    expect(expected.length).toBeGreaterThan(90);
    const { records } = await pageThrough(store, { where, orderBy: "-createdAt", limit: 40 });
    expect(ids(records)).toEqual(expected);
    expect((await pageThrough(store, { layer: "gold", limit: 40 })).records).toEqual([]);
  });

  it("next is null exactly when nothing follows the page", async () => {
    const store = ctx.store();
    await fill(store, 80);
    const first = await store.queryPage({ limit: 40 });
    expect(first.next).not.toBeNull();
    const second = await store.queryPage({ limit: 40, after: first.next! });
    expect(second.records).toHaveLength(40);
    expect(second.next).toBeNull();
    expect((await store.queryPage({ limit: 80 })).next).toBeNull();
    expect((await store.queryPage({ limit: 100 })).next).toBeNull();
    expect((await store.queryPage({ limit: 79 })).next).not.toBeNull();
  });

  it("query with after yields the same records as queryPage", async () => {
    const store = ctx.store();
    await fill(store, 30);
    const first = await store.queryPage({ orderBy: "content.group", limit: 10 });
    const viaQuery = await collect(() => store.query({ orderBy: "content.group", limit: 10, after: first.next! }));
    const viaPage = await store.queryPage({ orderBy: "content.group", limit: 10, after: first.next! });
    expect(viaQuery).toEqual(viaPage.records);
    expect(ids(viaQuery).some((id) => ids(first.records).includes(id))).toBe(false);
  });

  it("a cursor continues after its position even when records change in between", async () => {
    const store = ctx.store();
    await fill(store, 20);
    const first = await store.queryPage({ limit: 5 });
    await store.delete(first.records[4]!.id);
    await store.store(rec("r000a"));
    const second = await store.queryPage({ limit: 5, after: first.next! });
    expect(ids(second.records)).toEqual(["r005", "r006", "r007", "r008", "r009"]);
  });

  it("a cursor used with another orderBy, or not a cursor, is INVALID_ARGUMENT", async () => {
    const store = ctx.store();
    await fill(store, 10);
    const { next } = await store.queryPage({ orderBy: "content.group", limit: 3 });
    expect(next).not.toBeNull();
    for (const orderBy of ["-content.group", "id", "content.odd", "createdAt"] as const) {
      await expectCode(() => store.queryPage({ orderBy, limit: 3, after: next! }), "INVALID_ARGUMENT");
      await expectCode(() => collect(() => store.query({ orderBy, limit: 3, after: next! })), "INVALID_ARGUMENT");
    }
    for (const after of ["", "not-a-cursor", "e30", 42, null]) {
      await expectCode(() => store.queryPage({ orderBy: "content.group", after: after as never }), "INVALID_ARGUMENT");
    }
  });
  // Backends that filter while walking an index in bounded steps (redis reads a few
  // thousand entries per server call) must resume exactly where a step ended.
  it("a sparse filter pages and counts exactly over 6,000 records in every built-in ordering", async () => {
    const store = ctx.store();
    const all = Array.from({ length: 6000 }, (_, i) =>
      rec(`s${String(i).padStart(5, "0")}`, { tag: i % 1499 === 0 ? "rare" : "common", i }, { layer: LAYERS[i % 3] }),
    );
    await store.storeBatch(all);
    const where = { "content.tag": "rare" };
    expect(await store.count({ where })).toBe(5);
    expect(await store.count({ layer: "gold", where })).toBe(2);
    const rare = (await collect(() => store.query({ where, limit: 10 }))) as StoredRecord[];
    expect(rare.map((r) => r.content.i)).toEqual([0, 1499, 2998, 4497, 5996]);
    const orderings = ["id", "naturalKey", "createdAt", "updatedAt"].flatMap((f) => [f, `-${f}`]);
    for (const orderBy of orderings as RecordQuery["orderBy"][]) {
      const expected = ids([...rare].sort((a, b) => compareRecords(a, b, parseOrderBy(orderBy))));
      expect(ids((await pageThrough(store, { where, orderBy, limit: 2 })).records), orderBy).toEqual(expected);
      const gold = (await pageThrough(store, { layer: "gold", where, orderBy, limit: 1 })).records;
      expect(ids(gold), orderBy).toEqual(expected.filter((id) => Number(id.slice(1)) % 3 === 2));
      const skipped = await store.queryPage({ where, orderBy, offset: 3, limit: 10 });
      expect(ids(skipped.records), orderBy).toEqual(expected.slice(3));
      expect(skipped.next).toBeNull();
    }
  });
}
