import { expect, it } from "vitest";
import { expectCode, expectIds, type RecordsContext, rec } from "./context.js";

/**
 * storeBatch: counts for each `onConflict`, all-or-nothing on CONFLICT and on bad input,
 * sequential semantics inside one batch.
 *
 * @example
 * ```ts
 * describe("storeBatch", () => registerRecordBatch(ctx));
 * ```
 */
export function registerRecordBatch(ctx: RecordsContext): void {
  it("inserts new records and counts them; an empty batch is a no-op", async () => {
    const store = ctx.store();
    expect(await store.storeBatch([])).toEqual({ inserted: 0, updated: 0, skipped: 0 });
    const result = await store.storeBatch([rec("a", { v: 1 }), rec("b", { v: 2 }, { layer: "gold" })]);
    expect(result).toEqual({ inserted: 2, updated: 0, skipped: 0 });
    expect(await store.get("a")).toMatchObject({ version: 1, content: { v: 1 }, layer: "bronze" });
    expect(await store.get("b")).toMatchObject({ version: 1, content: { v: 2 }, layer: "gold" });
    const a = await store.get("a");
    expect(a?.createdAt.getTime()).toBe(a?.updatedAt.getTime());
  });

  it('onConflict "update" (the default) updates existing ids like store does', async () => {
    const store = ctx.store();
    const first = await store.store(rec("a", { v: 1 }));
    const result = await store.storeBatch([rec("a", { v: 2 }), rec("b")]);
    expect(result).toEqual({ inserted: 1, updated: 1, skipped: 0 });
    const a = await store.get("a");
    expect(a).toMatchObject({ version: 2, content: { v: 2 } });
    expect(a?.createdAt.getTime()).toBe(first.createdAt.getTime());
    expect(a?.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    expect(await store.storeBatch([rec("a", { v: 3 })], { onConflict: "update" })).toEqual({
      inserted: 0,
      updated: 1,
      skipped: 0,
    });
    expect((await store.get("a"))?.version).toBe(3);
  });

  it('onConflict "skip" leaves existing ids and taken natural keys untouched', async () => {
    const store = ctx.store();
    const a = await store.store(rec("a", { v: 1 }));
    const result = await store.storeBatch(
      [rec("a", { v: 2 }), rec("b"), { id: "c", naturalKey: "nk:a", content: {} }],
      { onConflict: "skip" },
    );
    expect(result).toEqual({ inserted: 1, updated: 0, skipped: 2 });
    expect(await store.get("a")).toEqual(a);
    expect(await store.get("c")).toBeNull();
    await expectIds(store, ["a", "b"]);
  });

  it('onConflict "error": an existing id is CONFLICT and nothing of the batch is written', async () => {
    const store = ctx.store();
    const a = await store.store(rec("a", { v: 1 }));
    await expectCode(
      () => store.storeBatch([rec("b"), rec("a", { v: 2 }), rec("c")], { onConflict: "error" }),
      "CONFLICT",
    );
    expect(await store.get("a")).toEqual(a);
    await expectIds(store, ["a"]);
    expect(await store.storeBatch([rec("b"), rec("c")], { onConflict: "error" })).toEqual({
      inserted: 2,
      updated: 0,
      skipped: 0,
    });
  });

  it("a natural key taken by another id is CONFLICT under update and error, nothing written", async () => {
    const store = ctx.store();
    await store.store(rec("a", { v: 1 }));
    for (const onConflict of ["update", "error"] as const) {
      await expectCode(
        () =>
          store.storeBatch([rec("b"), { id: "c", naturalKey: "nk:a", content: {} }, rec("a", { v: 5 })], {
            onConflict,
          }),
        "CONFLICT",
      );
      await expectIds(store, ["a"]);
      expect((await store.get("a"))?.content).toEqual({ v: 1 });
    }
  });

  it("a batch applies in order: a repeated id is inserted then updated (or skipped, or CONFLICT)", async () => {
    const store = ctx.store();
    expect(await store.storeBatch([rec("a", { v: 1 }), rec("a", { v: 2 })])).toEqual({
      inserted: 1,
      updated: 1,
      skipped: 0,
    });
    expect(await store.get("a")).toMatchObject({ version: 2, content: { v: 2 } });
    expect(await store.storeBatch([rec("b", { v: 1 }), rec("b", { v: 2 })], { onConflict: "skip" })).toEqual({
      inserted: 1,
      updated: 0,
      skipped: 1,
    });
    expect((await store.get("b"))?.content).toEqual({ v: 1 });
    await expectCode(() => store.storeBatch([rec("c"), rec("c")], { onConflict: "error" }), "CONFLICT");
    expect(await store.exists("c")).toBe(false);
    // Two new ids claiming one natural key: the second one conflicts with the first.
    await expectCode(
      () =>
        store.storeBatch([
          { id: "d", naturalKey: "same", content: {} },
          { id: "e", naturalKey: "same", content: {} },
        ]),
      "CONFLICT",
    );
    await expectIds(store, ["a", "b"]);
  });

  it("a batch may move a natural key from one id to another", async () => {
    const store = ctx.store();
    await store.store({ id: "a", naturalKey: "k1", content: {} });
    const result = await store.storeBatch([
      { id: "a", naturalKey: "k2", content: {} },
      { id: "b", naturalKey: "k1", content: {} },
    ]);
    expect(result).toEqual({ inserted: 1, updated: 1, skipped: 0 });
    expect((await store.getByNaturalKey("k1"))?.id).toBe("b");
    expect((await store.getByNaturalKey("k2"))?.id).toBe("a");
  });

  it("a bad record anywhere in a batch is INVALID_ARGUMENT and nothing is written", async () => {
    const store = ctx.store();
    await store.store(rec("a", { v: 1 }));
    const bad: unknown[] = [
      { id: "", naturalKey: "x", content: {} },
      { id: "x", naturalKey: "x", content: [] },
      { id: "x", naturalKey: "x", content: { d: new Date() } },
      { id: "x", naturalKey: "x", layer: "platinum", content: {} },
      { id: "x", naturalKey: "x", content: {}, extra: 1 },
      null,
    ];
    for (const record of bad) {
      for (const position of [0, 1, 2]) {
        const batch: unknown[] = [rec("b"), rec("a", { v: 2 })];
        batch.splice(position, 0, record);
        await expectCode(() => store.storeBatch(batch as never), "INVALID_ARGUMENT");
      }
    }
    await expectIds(store, ["a"]);
    expect((await store.get("a"))?.version).toBe(1);
  });

  it("rejects a non-array batch and bad options with INVALID_ARGUMENT", async () => {
    const store = ctx.store();
    await expectCode(() => store.storeBatch(rec("a") as never), "INVALID_ARGUMENT");
    await expectCode(() => store.storeBatch(null as never), "INVALID_ARGUMENT");
    await expectCode(() => store.storeBatch([rec("a")], { onConflict: "replace" as never }), "INVALID_ARGUMENT");
    await expectCode(() => store.storeBatch([rec("a")], { bogus: true } as never), "INVALID_ARGUMENT");
    await expectIds(store, []);
  });

  it("stores a large batch atomically", async () => {
    const store = ctx.store();
    const records = Array.from({ length: 500 }, (_, i) => rec(`r${i}`, { i }));
    expect(await store.storeBatch(records)).toEqual({ inserted: 500, updated: 0, skipped: 0 });
    expect(await store.count()).toBe(500);
    const withConflict = [
      ...records.slice(0, 499).map((r) => ({ ...r, id: `s${r.id}`, naturalKey: `s${r.naturalKey}` })),
      records[0]!,
    ];
    await expectCode(() => store.storeBatch(withConflict, { onConflict: "error" }), "CONFLICT");
    expect(await store.count()).toBe(500);
  });
}
