import type { BackendError } from "@core/protocols";
import { expect, it } from "vitest";
import { collect, expectCode, ids, type RecordsContext, rec } from "./context.js";

/**
 * State a store derives from its writes, read right after a write: the natural-key index
 * when a record is re-stored under the same key, and keyset cursors positioned at (or
 * past) the last record after the records around them were deleted.
 *
 * @example
 * ```ts
 * describe("derived state after writes", () => registerRecordDerivedState(ctx));
 * ```
 */
export function registerRecordDerivedState(ctx: RecordsContext): void {
  it("re-storing an id under the same natural key keeps the key taken and findable", async () => {
    const store = ctx.store();
    await store.store(rec("a", { v: 1 }, { naturalKey: "key" }));
    await store.store(rec("a", { v: 2 }, { naturalKey: "key" }));
    expect((await store.getByNaturalKey("key"))?.content).toEqual({ v: 2 });
    expect(await store.existsByNaturalKey("key")).toBe(true);
    await expectCode(() => store.store(rec("b", {}, { naturalKey: "key" })), "CONFLICT");
    await store.storeBatch([rec("a", { v: 3 }, { naturalKey: "key" })]);
    expect((await store.getByNaturalKey("key"))?.content).toEqual({ v: 3 });
    expect((await store.storeBatch([rec("b", {}, { naturalKey: "key" })], { onConflict: "skip" })).skipped).toBe(1);
    expect(await store.exists("b")).toBe(false);
  });

  it("a CONFLICT names the backend it came from", async () => {
    const store = ctx.store();
    await store.store(rec("a", {}, { naturalKey: "key" }));
    const error = (await store.store(rec("b", {}, { naturalKey: "key" })).catch((err: unknown) => err)) as BackendError;
    expect(error.code).toBe("CONFLICT");
    expect(error.backend).toBe(ctx.backend.name);
    expect(error.message.startsWith(`[${ctx.backend.name}] `)).toBe(true);
  });

  it("a cursor at the last record pages to the end after the records beyond it were deleted (asc and desc)", async () => {
    const store = ctx.store();
    await store.storeBatch(["a", "b", "c", "d", "e"].map((id) => rec(id, { n: 1 })));
    const ascending = await store.queryPage({ limit: 4 });
    expect(ids(ascending.records)).toEqual(["a", "b", "c", "d"]);
    await store.delete("e");
    expect(await store.queryPage({ limit: 4, after: ascending.next! })).toEqual({ records: [], next: null });
    expect(await collect(() => store.query({ after: ascending.next! }))).toEqual([]);

    const descending = await store.queryPage({ orderBy: "-id", limit: 1 });
    expect(ids(descending.records)).toEqual(["d"]);
    await store.delete("d");
    const rest = await store.queryPage({ orderBy: "-id", limit: 10, after: descending.next! });
    expect(ids(rest.records)).toEqual(["c", "b", "a"]);
    expect(rest.next).toBeNull();
    const layered = await store.queryPage({ orderBy: "-id", layer: "bronze", limit: 10, after: descending.next! });
    expect(ids(layered.records)).toEqual(["c", "b", "a"]);
  });
}
