import type { RecordInput } from "@core/protocols";
import { expect, it } from "vitest";
import { collect, expectCode, expectIds, ids, type RecordsContext, rec } from "./context.js";

const CREATED = "2019-03-01T12:00:00.000Z";
const UPDATED = "2020-06-01T08:30:00.123Z";

function times(createdAt: Date | string, updatedAt: Date | string): Partial<RecordInput> {
  return { createdAt, updatedAt };
}

/**
 * `preserveTimestamps` on `store` and `storeBatch` (historic imports): caller-given
 * `createdAt`/`updatedAt` kept exactly, validated before anything is written, and ignored
 * without the flag (PROTOCOLS.md §3).
 *
 * @example
 * ```ts
 * describe("preserveTimestamps", () => registerRecordTimestamps(ctx));
 * ```
 */
export function registerRecordTimestamps(ctx: RecordsContext): void {
  it("store keeps the caller's createdAt/updatedAt (Dates or ISO strings), on insert and update", async () => {
    const store = ctx.store();
    const stored = await store.store(rec("a", { v: 1 }, times(CREATED, new Date(UPDATED))), {
      preserveTimestamps: true,
    });
    expect(stored.createdAt.toISOString()).toBe(CREATED);
    expect(stored.updatedAt.toISOString()).toBe(UPDATED);
    expect(stored.version).toBe(1);
    expect(await store.get("a")).toEqual(stored);
    // An update keeps the new history as given, even an updatedAt earlier than the stored one.
    const again = await store.store(rec("a", { v: 2 }, times("2018-01-01T00:00:00+02:00", "2018-02-01T00:00Z")), {
      preserveTimestamps: true,
      expectedVersion: 1,
    });
    expect(again.createdAt.toISOString()).toBe("2017-12-31T22:00:00.000Z");
    expect(again.updatedAt.toISOString()).toBe("2018-02-01T00:00:00.000Z");
    expect(again.version).toBe(2);
    expect(await store.get("a")).toEqual(again);
  });

  it("the widest range every backend keeps: years 1 to 9999, milliseconds exact", async () => {
    const store = ctx.store();
    const low = "0001-01-01T00:00:00.000Z";
    const high = "9999-12-31T23:59:59.999Z";
    await store.store(rec("a", {}, times(low, high)), { preserveTimestamps: true });
    const read = await store.get("a");
    expect(read?.createdAt.toISOString()).toBe(low);
    expect(read?.updatedAt.toISOString()).toBe(high);
  });

  it("without the flag, given timestamps are ignored: the store owns them", async () => {
    const store = ctx.store();
    const before = Date.now();
    const stored = await store.store(rec("a", {}, times(CREATED, UPDATED)));
    const after = Date.now();
    for (const t of [stored.createdAt, stored.updatedAt, (await store.get("a"))?.createdAt]) {
      expect(t?.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(t?.getTime()).toBeLessThanOrEqual(after + 1000);
    }
    // A later plain write keeps an imported createdAt and sets updatedAt itself.
    await store.store(rec("b", {}, times(CREATED, UPDATED)), { preserveTimestamps: true });
    const plain = await store.store(rec("b", { v: 2 }, times("2001-01-01T00:00:00Z", "2001-01-01T00:00:00Z")), {
      preserveTimestamps: false,
    });
    expect(plain.createdAt.toISOString()).toBe(CREATED);
    expect(plain.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await store.get("b")).toEqual(plain);
  });

  it("bad timestamps or flag are INVALID_ARGUMENT and nothing is written", async () => {
    const store = ctx.store();
    const bad: Partial<Record<"createdAt" | "updatedAt", unknown>>[] = [
      {},
      { createdAt: CREATED },
      { updatedAt: UPDATED },
      { createdAt: UPDATED, updatedAt: CREATED },
      { createdAt: new Date(Number.NaN), updatedAt: UPDATED },
      { createdAt: "2019-03-01", updatedAt: UPDATED },
      { createdAt: "2019-03-01T12:00:00", updatedAt: UPDATED },
      { createdAt: "yesterday", updatedAt: UPDATED },
      { createdAt: Date.parse(CREATED), updatedAt: UPDATED },
      { createdAt: null, updatedAt: UPDATED },
      { createdAt: CREATED, updatedAt: "+010000-01-01T00:00:00Z" },
    ];
    for (const extra of bad) {
      const record = { ...rec("a"), ...extra } as RecordInput;
      await expectCode(() => store.store(record, { preserveTimestamps: true }), "INVALID_ARGUMENT");
    }
    const flag = { preserveTimestamps: "yes" } as unknown as { preserveTimestamps: boolean };
    await expectCode(() => store.store(rec("a", {}, times(CREATED, UPDATED)), flag), "INVALID_ARGUMENT");
    await expectCode(() => store.storeBatch([rec("a", {}, times(CREATED, UPDATED))], flag), "INVALID_ARGUMENT");
    await expectIds(store, []);
  });

  it("storeBatch keeps every record's timestamps; one bad record fails the batch, nothing written", async () => {
    const store = ctx.store();
    const existing = await store.store(rec("x", { v: 0 }));
    const batch = [
      rec("b", { v: 1 }, times("2015-01-01T00:00:00Z", "2016-01-01T00:00:00Z")),
      rec("a", { v: 1 }, times("2017-01-01T00:00:00Z", "2017-01-01T00:00:00Z")),
      { ...rec("c"), createdAt: "2018-01-01T00:00:00Z" } as RecordInput,
    ];
    await expectCode(() => store.storeBatch(batch, { preserveTimestamps: true }), "INVALID_ARGUMENT");
    await expectIds(store, ["x"]);
    const good = [...batch.slice(0, 2), rec("x", { v: 1 }, times("2014-01-01T00:00:00Z", "2014-06-01T00:00:00Z"))];
    expect(await store.storeBatch(good, { preserveTimestamps: true })).toEqual({ inserted: 2, updated: 1, skipped: 0 });
    const x = await store.get("x");
    expect(x).toMatchObject({ version: existing.version + 1, content: { v: 1 } });
    expect(x?.createdAt.toISOString()).toBe("2014-01-01T00:00:00.000Z");
    expect(x?.updatedAt.toISOString()).toBe("2014-06-01T00:00:00.000Z");
    expect((await store.get("b"))?.updatedAt.toISOString()).toBe("2016-01-01T00:00:00.000Z");
    // Queries order and page by the imported history.
    expect(ids(await collect(() => store.query({ orderBy: "createdAt" })))).toEqual(["x", "b", "a"]);
    expect(ids(await collect(() => store.query({ orderBy: "-updatedAt" })))).toEqual(["a", "b", "x"]);
    // Without the flag the batch's timestamps are the store's again.
    const before = Date.now();
    await store.storeBatch([rec("a", { v: 2 }, times(CREATED, UPDATED))]);
    const a = await store.get("a");
    expect(a?.createdAt.toISOString()).toBe("2017-01-01T00:00:00.000Z");
    expect(a?.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('storeBatch onConflict "skip" with preserveTimestamps leaves existing records untouched', async () => {
    const store = ctx.store();
    const a = await store.store(rec("a"));
    const result = await store.storeBatch(
      [rec("a", { v: 9 }, times(CREATED, UPDATED)), rec("b", {}, times(CREATED, UPDATED))],
      { onConflict: "skip", preserveTimestamps: true },
    );
    expect(result).toEqual({ inserted: 1, updated: 0, skipped: 1 });
    expect(await store.get("a")).toEqual(a);
    expect((await store.get("b"))?.createdAt.toISOString()).toBe(CREATED);
  });
}
