import type { Backend, StoredRecord } from "@core/protocols";
import { expect, it } from "vitest";
import { describeCapability } from "../gate.js";
import { collect, expectCode, ids, type RecordsContext, rec } from "./context.js";

async function settled<T>(calls: Promise<T>[]): Promise<(T | Error)[]> {
  return Promise.all(calls.map((call) => call.catch((err: Error) => err)));
}

function codes(results: unknown[]): string[] {
  return results.map((r) => (r instanceof Error ? String((r as { code?: unknown }).code) : "ok"));
}

/**
 * promote: the move between layers (version bump, indexes, everything else kept), the
 * same-layer no-op, `expectedVersion`, missing records, bad input and concurrent
 * promotions (PROTOCOLS.md §3).
 *
 * @example
 * ```ts
 * describe("promote", () => registerRecordPromote(ctx));
 * ```
 */
export function registerRecordPromote(ctx: RecordsContext): void {
  it("moves a record to another layer with one version bump, keeping everything else", async () => {
    const store = ctx.store();
    const first = await store.store(rec("a", { title: "t", n: [1, { x: null }] }, { metadata: { m: 1 } }));
    await store.store(rec("b"));
    const silver = await store.promote("a", "silver");
    expect(silver).toMatchObject({
      id: "a",
      naturalKey: "nk:a",
      layer: "silver",
      content: first.content,
      metadata: first.metadata,
      version: 2,
    });
    expect(silver?.createdAt.getTime()).toBe(first.createdAt.getTime());
    expect(silver?.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    expect(await store.get("a")).toEqual(silver);
    expect(await store.get("a", "bronze")).toBeNull();
    expect(await store.exists("a", "silver")).toBe(true);
    expect(await store.getByNaturalKey("nk:a")).toEqual(silver);
    expect(await store.count({ layer: "silver" })).toBe(1);
    expect(ids(await collect(() => store.query({ layer: "bronze" })))).toEqual(["b"]);
    expect(ids(await collect(() => store.query({ layer: "silver" })))).toEqual(["a"]);
    // Any direction: promotion to gold, then back to bronze.
    expect(await store.promote("a", "gold")).toMatchObject({ layer: "gold", version: 3 });
    expect(await store.promote("a", "bronze")).toMatchObject({ layer: "bronze", version: 4, content: first.content });
    expect(await store.count({ layer: "bronze" })).toBe(2);
    expect(await store.count()).toBe(2);
  });

  it("to the layer the record is in: nothing is written, no version bump", async () => {
    const store = ctx.store();
    const gold = await store.store(rec("a", { v: 1 }, { layer: "gold" }));
    expect(await store.promote("a", "gold")).toEqual(gold);
    expect(await store.promote("a", "gold", { expectedVersion: 1 })).toEqual(gold);
    await expectCode(() => store.promote("a", "gold", { expectedVersion: 2 }), "CONFLICT");
    expect(await store.get("a")).toEqual(gold);
  });

  it("expectedVersion: a match promotes, a mismatch is CONFLICT and changes nothing", async () => {
    const store = ctx.store();
    await store.store(rec("a", { v: 1 }));
    const v2 = await store.store(rec("a", { v: 2 }));
    await expectCode(() => store.promote("a", "silver", { expectedVersion: 1 }), "CONFLICT");
    await expectCode(() => store.promote("a", "silver", { expectedVersion: 3 }), "CONFLICT");
    expect(await store.get("a")).toEqual(v2);
    const promoted = await store.promote("a", "silver", { expectedVersion: 2 });
    expect(promoted).toMatchObject({ layer: "silver", version: 3, content: { v: 2 } });
    // The promoted version is what the next conditional write expects.
    expect((await store.store(rec("a", { v: 3 }, { layer: "silver" }), { expectedVersion: 3 })).version).toBe(4);
  });

  it("a missing record is null, whatever the options; nothing is created", async () => {
    const store = ctx.store();
    expect(await store.promote("nope", "gold")).toBeNull();
    expect(await store.promote("nope", "gold", { expectedVersion: 1 })).toBeNull();
    await store.store(rec("gone"));
    await store.delete("gone");
    expect(await store.promote("gone", "silver")).toBeNull();
    expect(await store.count()).toBe(0);
  });

  it("bad id, layer or options are INVALID_ARGUMENT and change nothing", async () => {
    const store = ctx.store();
    const a = await store.store(rec("a"));
    const promote = store.promote.bind(store) as (id: unknown, layer: unknown, options?: unknown) => Promise<unknown>;
    const bad: [unknown, unknown, unknown?][] = [
      ["a", "platinum"],
      ["a", undefined],
      ["a", null],
      ["a", "Gold"],
      ["", "gold"],
      [1, "gold"],
      ["a", "gold", { expectedVersion: 0 }],
      ["a", "gold", { expectedVersion: -1 }],
      ["a", "gold", { expectedVersion: 1.5 }],
      ["a", "gold", { expectedVersion: "1" }],
      ["a", "gold", { version: 1 }],
      ["a", "gold", "strict"],
    ];
    for (const [id, layer, options] of bad) {
      await expectCode(() => promote(id, layer, options), "INVALID_ARGUMENT");
    }
    expect(await store.get("a")).toEqual(a);
  });

  it("20 concurrent promotions to one layer all succeed with a single version bump", async () => {
    const store = ctx.store();
    await store.store(rec("a", { v: 1 }));
    const results = await Promise.all(Array.from({ length: 20 }, () => store.promote("a", "gold")));
    for (const r of results) expect(r).toMatchObject({ layer: "gold", version: 2, content: { v: 1 } });
    expect(await store.get("a")).toMatchObject({ layer: "gold", version: 2 });
  });

  it("concurrent promotions with the same expectedVersion: exactly one wins, the others are CONFLICT", async () => {
    const store = ctx.store();
    await store.store(rec("a"));
    const targets = ["silver", "gold"] as const;
    const results = await settled(
      Array.from({ length: 20 }, (_, i) => store.promote("a", targets[i % 2]!, { expectedVersion: 1 })),
    );
    expect(codes(results).filter((c) => c === "ok")).toHaveLength(1);
    expect(codes(results).filter((c) => c === "CONFLICT")).toHaveLength(19);
    const winner = results.find((r) => !(r instanceof Error)) as StoredRecord;
    expect(await store.get("a")).toEqual(winner);
    expect(winner.version).toBe(2);
  });

  it("concurrent promotions to different layers without expectedVersion: each is applied once", async () => {
    const store = ctx.store();
    await store.store(rec("a"));
    const [silver, gold] = await Promise.all([store.promote("a", "silver"), store.promote("a", "gold")]);
    const final = await store.get("a");
    expect(final?.version).toBe(3);
    expect([silver?.version, gold?.version].sort()).toEqual([2, 3]);
    expect(final).toEqual(silver?.version === 3 ? silver : gold);
  });

  describeCapability(ctx.caps.crossProcess, "crossProcess", () => {
    it("two clients racing to promote with expectedVersion: exactly one wins", async () => {
      const store = ctx.store();
      const backend: Backend = await ctx.options.open();
      try {
        const other = backend.records(store.name);
        for (let round = 0; round < 3; round++) {
          const id = `race-${round}`;
          await store.store(rec(id));
          const results = await settled(
            Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).promote(id, "gold", { expectedVersion: 1 })),
          );
          expect(codes(results).filter((c) => c === "ok")).toHaveLength(1);
          expect(await other.get(id)).toMatchObject({ layer: "gold", version: 2 });
        }
      } finally {
        await backend.close();
      }
    });
  });
}
