import { expect, it } from "vitest";
import { freshName, sleep } from "../names.js";
import { collect, expectCode, expectIds, type RecordsContext, rec } from "./context.js";

/**
 * store/get round trips, versions, optimistic locking, natural keys, layers, delete,
 * copies, isolation between collections and clear (PROTOCOLS.md §3).
 *
 * @example
 * ```ts
 * describe("basics", () => registerRecordBasics(ctx));
 * ```
 */
export function registerRecordBasics(ctx: RecordsContext): void {
  it("store returns the stored record and get round-trips it exactly", async () => {
    const store = ctx.store();
    const content = { title: "Héllo \u{1F600}", n: 0, f: -1.5, t: false, z: null, list: [1, "x", { deep: [true] }] };
    const before = Date.now();
    const stored = await store.store({
      id: "a",
      naturalKey: "url:a",
      layer: "silver",
      content,
      metadata: { src: "rss" },
    });
    expect(stored).toEqual({
      id: "a",
      naturalKey: "url:a",
      layer: "silver",
      content,
      metadata: { src: "rss" },
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
      version: 1,
    });
    expect(stored.createdAt).toBeInstanceOf(Date);
    expect(stored.updatedAt).toBeInstanceOf(Date);
    expect(stored.createdAt.getTime()).toBe(stored.updatedAt.getTime());
    // A sanity bound on the clock, generous enough for a database server's own clock.
    expect(Math.abs(stored.createdAt.getTime() - before)).toBeLessThan(60_000);
    const got = await store.get("a");
    expect(got).toEqual(stored);
    expect(got?.createdAt).toBeInstanceOf(Date);
    expect(got?.updatedAt).toBeInstanceOf(Date);
    expect(await store.getByNaturalKey("url:a")).toEqual(stored);
  });

  it("layer defaults to bronze and metadata to {}", async () => {
    const store = ctx.store();
    const stored = await store.store({ id: "a", naturalKey: "k", content: {} });
    expect(stored.layer).toBe("bronze");
    expect(stored.metadata).toEqual({});
    expect(stored.content).toEqual({});
  });

  it("ids and natural keys may be any valid key, SQL-looking ones included", async () => {
    const store = ctx.store();
    const keys = ["x'; DROP TABLE records; --", 'a"b', "é/..\\*?%\n", "\u{1F600}", " ", "x".repeat(1021)];
    for (const [i, key] of keys.entries()) await store.store({ id: key, naturalKey: `${key}#nk`, content: { i } });
    for (const [i, key] of keys.entries()) {
      expect((await store.get(key))?.content).toEqual({ i });
      expect((await store.getByNaturalKey(`${key}#nk`))?.id).toBe(key);
    }
    await expectIds(store, keys);
  });

  it("re-storing an id keeps createdAt, bumps updatedAt (>=) and version, replaces the rest", async () => {
    const store = ctx.store();
    const first = await store.store(rec("a", { v: 1, old: true }, { metadata: { m: 1 } }));
    await sleep(2);
    const second = await store.store(rec("a", { v: 2 }, { layer: "gold" }));
    expect(second.version).toBe(2);
    expect(second.createdAt.getTime()).toBe(first.createdAt.getTime());
    expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    expect(second).toMatchObject({ content: { v: 2 }, metadata: {}, layer: "gold" });
    const third = await store.store(rec("a", { v: 3 }));
    expect(third.version).toBe(3);
    expect(third.updatedAt.getTime()).toBeGreaterThanOrEqual(second.updatedAt.getTime());
    expect(await store.get("a")).toEqual(third);
    expect(await store.count()).toBe(1);
  });

  it("a record read back can be stored again (store-owned fields are ignored)", async () => {
    const store = ctx.store();
    const first = await store.store(rec("a", { v: 1 }));
    const again = await store.store({ ...first, content: { v: 2 } });
    expect(again).toMatchObject({ version: 2, content: { v: 2 } });
    expect(again.createdAt.getTime()).toBe(first.createdAt.getTime());
  });

  it("expectedVersion: a match writes, a mismatch is CONFLICT and changes nothing, 0 means must not exist", async () => {
    const store = ctx.store();
    await expectCode(() => store.store(rec("a", { v: 0 }), { expectedVersion: 1 }), "CONFLICT");
    expect(await store.exists("a")).toBe(false);
    const v1 = await store.store(rec("a", { v: 1 }), { expectedVersion: 0 });
    expect(v1.version).toBe(1);
    await expectCode(() => store.store(rec("a", { v: 9 }), { expectedVersion: 0 }), "CONFLICT");
    await expectCode(() => store.store(rec("a", { v: 9 }), { expectedVersion: 2 }), "CONFLICT");
    expect(await store.get("a")).toEqual(v1);
    const v2 = await store.store(rec("a", { v: 2 }), { expectedVersion: 1 });
    expect(v2).toMatchObject({ version: 2, content: { v: 2 } });
    await expectCode(() => store.store(rec("a", { v: 9 }), { expectedVersion: 1 }), "CONFLICT");
    expect(await store.get("a")).toEqual(v2);
  });

  it("naturalKey is unique: another id with a taken natural key is CONFLICT and writes nothing", async () => {
    const store = ctx.store();
    const a = await store.store({ id: "a", naturalKey: "shared", content: { who: "a" } });
    await expectCode(() => store.store({ id: "b", naturalKey: "shared", content: { who: "b" } }), "CONFLICT");
    expect(await store.get("b")).toBeNull();
    expect(await store.getByNaturalKey("shared")).toEqual(a);
    await expectIds(store, ["a"]);
  });

  it("re-storing an id with a new natural key frees the old one", async () => {
    const store = ctx.store();
    await store.store({ id: "a", naturalKey: "k1", content: {} });
    await store.store({ id: "a", naturalKey: "k2", content: {} });
    expect(await store.getByNaturalKey("k1")).toBeNull();
    expect(await store.existsByNaturalKey("k1")).toBe(false);
    expect((await store.getByNaturalKey("k2"))?.id).toBe("a");
    const b = await store.store({ id: "b", naturalKey: "k1", content: {} });
    expect(b.version).toBe(1);
    expect((await store.getByNaturalKey("k1"))?.id).toBe("b");
  });

  it("get, exists and delete narrow by layer: a record in another layer is absent", async () => {
    const store = ctx.store();
    await store.store(rec("a", {}, { layer: "silver" }));
    expect(await store.get("a", "bronze")).toBeNull();
    expect(await store.get("a", "gold")).toBeNull();
    expect((await store.get("a", "silver"))?.id).toBe("a");
    expect((await store.get("a"))?.layer).toBe("silver");
    expect(await store.exists("a", "gold")).toBe(false);
    expect(await store.exists("a", "silver")).toBe(true);
    expect(await store.exists("a")).toBe(true);
    expect(await store.delete("a", "gold")).toBe(false);
    expect(await store.exists("a")).toBe(true);
    expect(await store.delete("a", "silver")).toBe(true);
    expect(await store.exists("a")).toBe(false);
  });

  it("getByNaturalKey and existsByNaturalKey find records in any layer", async () => {
    const store = ctx.store();
    await store.store({ id: "a", naturalKey: "url:a", layer: "gold", content: { x: 1 } });
    expect((await store.getByNaturalKey("url:a"))?.id).toBe("a");
    expect(await store.existsByNaturalKey("url:a")).toBe(true);
    expect(await store.getByNaturalKey("url:none")).toBeNull();
    expect(await store.existsByNaturalKey("url:none")).toBe(false);
    expect(await store.getByNaturalKey("a")).toBeNull();
  });

  it("delete is true once, then false; the id and natural key become free", async () => {
    const store = ctx.store();
    await store.store(rec("a"));
    await store.store(rec("b"));
    expect(await store.delete("a")).toBe(true);
    expect(await store.delete("a")).toBe(false);
    expect(await store.delete("never")).toBe(false);
    expect(await store.get("a")).toBeNull();
    expect(await store.existsByNaturalKey("nk:a")).toBe(false);
    await expectIds(store, ["b"]);
    const again = await store.store({ id: "c", naturalKey: "nk:a", content: {} });
    expect(again.version).toBe(1);
    expect((await store.store({ id: "a", naturalKey: "other", content: {} })).version).toBe(1);
  });

  it("returned records are copies and the store keeps its own copy of inputs", async () => {
    const store = ctx.store();
    const input = rec("a", { list: [1], nested: { v: 1 } }, { metadata: { m: [1] } });
    const stored = await store.store(input);
    (input.content.list as number[]).push(2);
    (input.content.nested as { v: number }).v = 9;
    (stored.content.list as number[]).push(3);
    (stored.metadata.m as number[]).push(3);
    stored.createdAt.setTime(0);
    const got = await store.get("a");
    expect(got).toMatchObject({ content: { list: [1], nested: { v: 1 } }, metadata: { m: [1] } });
    expect(got?.createdAt.getTime()).not.toBe(0);
    got!.content.added = true;
    const [queried] = await collect(() => store.query());
    expect(queried?.content.added).toBeUndefined();
    queried!.content.list = "changed";
    const byKey = await store.getByNaturalKey("nk:a");
    expect(byKey?.content.list).toEqual([1]);
    byKey!.layer = "gold";
    expect((await store.queryPage()).records[0]?.layer).toBe("bronze");
  });

  it("two collections never see each other's data and clear only empties its own", async () => {
    const one = ctx.store();
    const two = ctx.backend.records(`${freshName("records")}'; drop table records; --`);
    await one.store({ id: "a", naturalKey: "k", content: { in: 1 } });
    await one.store(rec("b"));
    expect(await two.get("a")).toBeNull();
    expect(await two.getByNaturalKey("k")).toBeNull();
    expect(await two.count()).toBe(0);
    expect(await collect(() => two.query())).toEqual([]);
    // The same id and natural key are free in the other collection.
    const other = await two.store({ id: "a", naturalKey: "k", content: { in: 2 } });
    expect(other.version).toBe(1);
    await one.recordSighting({ naturalKey: "k", source: "s" });
    expect(await two.getSightings("k")).toEqual([]);
    expect(await two.recordSighting({ naturalKey: "k", source: "s" })).toBe(true);
    expect(await one.clear()).toBe(2);
    expect(await one.count()).toBe(0);
    expect(await one.getSightings("k")).toEqual([]);
    expect((await two.get("a"))?.content).toEqual({ in: 2 });
    expect(await two.getSightings("k")).toHaveLength(1);
    expect(await one.clear()).toBe(0);
  });

  it("handles with the same name share one collection", async () => {
    const name = freshName("records");
    const first = ctx.backend.records(name);
    const second = ctx.backend.records(name);
    expect(first.name).toBe(name);
    await first.store(rec("a", { v: 1 }));
    expect((await second.get("a"))?.content).toEqual({ v: 1 });
    await expectCode(() => second.store({ id: "b", naturalKey: "nk:a", content: {} }), "CONFLICT");
  });
}
