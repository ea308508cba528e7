import { expect, it } from "vitest";
import { type RecordsContext, rec } from "./context.js";

/**
 * recordSighting / getSightings: first-time detection, atomicity among concurrent
 * callers, order, fields, independence from records (PROTOCOLS.md §3).
 *
 * @example
 * ```ts
 * describe("sightings", () => registerRecordSightings(ctx));
 * ```
 */
export function registerRecordSightings(ctx: RecordsContext): void {
  it("recordSighting is true the first time a natural key is sighted, then false", async () => {
    const store = ctx.store();
    expect(await store.recordSighting({ naturalKey: "url:1", source: "rss" })).toBe(true);
    expect(await store.recordSighting({ naturalKey: "url:1", source: "rss" })).toBe(false);
    expect(await store.recordSighting({ naturalKey: "url:1", source: "api" })).toBe(false);
    expect(await store.recordSighting({ naturalKey: "url:2", source: "rss" })).toBe(true);
  });

  it("exactly one of 20 concurrent sightings of a new key is true", async () => {
    const store = ctx.store();
    const sameName = ctx.backend.records(store.name);
    for (let round = 0; round < 3; round++) {
      const naturalKey = `race-${round}`;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? store : sameName).recordSighting({ naturalKey, source: `s${i}` }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.getSightings(naturalKey)).toHaveLength(20);
    }
  });

  it("getSightings returns every sighting oldest first with source, seenAt, metadata and contentHash", async () => {
    const store = ctx.store();
    const t = Date.parse("2024-03-01T10:00:00.000Z");
    await store.recordSighting({
      naturalKey: "k",
      source: "late",
      seenAt: new Date(t + 2000),
      metadata: { page: 2, tags: ["a"] },
      contentHash: "sha256:bb",
    });
    await store.recordSighting({ naturalKey: "k", source: "early", seenAt: new Date(t) });
    await store.recordSighting({ naturalKey: "k", source: "middle-1", seenAt: new Date(t + 1000) });
    await store.recordSighting({ naturalKey: "k", source: "middle-2", seenAt: new Date(t + 1000), metadata: {} });
    const sightings = await store.getSightings("k");
    expect(sightings).toEqual([
      { naturalKey: "k", source: "early", seenAt: new Date(t), metadata: {}, contentHash: null },
      { naturalKey: "k", source: "middle-1", seenAt: new Date(t + 1000), metadata: {}, contentHash: null },
      { naturalKey: "k", source: "middle-2", seenAt: new Date(t + 1000), metadata: {}, contentHash: null },
      {
        naturalKey: "k",
        source: "late",
        seenAt: new Date(t + 2000),
        metadata: { page: 2, tags: ["a"] },
        contentHash: "sha256:bb",
      },
    ]);
    for (const s of sightings) expect(s.seenAt).toBeInstanceOf(Date);
    expect(await store.getSightings("unknown")).toEqual([]);
  });

  it("seenAt defaults to now", async () => {
    const store = ctx.store();
    const before = Date.now();
    await store.recordSighting({ naturalKey: "k", source: "s" });
    const [sighting] = await store.getSightings("k");
    expect(sighting?.seenAt).toBeInstanceOf(Date);
    expect(Math.abs(sighting!.seenAt.getTime() - before)).toBeLessThan(60_000);
  });

  it("sightings are independent of records and kept when the record is deleted", async () => {
    const store = ctx.store();
    await store.store({ id: "a", naturalKey: "url:a", content: {} });
    expect(await store.recordSighting({ naturalKey: "url:a", source: "rss" })).toBe(true);
    expect(await store.delete("a")).toBe(true);
    expect(await store.getSightings("url:a")).toHaveLength(1);
    expect(await store.recordSighting({ naturalKey: "url:a", source: "rss" })).toBe(false);
    expect(await store.getSightings("url:a")).toHaveLength(2);
    expect(await store.count()).toBe(0);
  });

  it("clear removes sightings too, so a key is new again", async () => {
    const store = ctx.store();
    await store.recordSighting({ naturalKey: "k", source: "s" });
    await store.store(rec("a"));
    expect(await store.clear()).toBe(1);
    expect(await store.getSightings("k")).toEqual([]);
    expect(await store.recordSighting({ naturalKey: "k", source: "s" })).toBe(true);
  });

  it("returned sightings are copies", async () => {
    const store = ctx.store();
    const metadata = { list: [1] };
    await store.recordSighting({ naturalKey: "k", source: "s", metadata });
    metadata.list.push(2);
    const [first] = await store.getSightings("k");
    expect(first?.metadata).toEqual({ list: [1] });
    (first!.metadata.list as number[]).push(3);
    first!.seenAt.setTime(0);
    const [again] = await store.getSightings("k");
    expect(again?.metadata).toEqual({ list: [1] });
    expect(again?.seenAt.getTime()).not.toBe(0);
  });

  it("sighting keys and sources may be any valid key, SQL-looking ones included", async () => {
    const store = ctx.store();
    const key = "x'; DELETE FROM sightings; --\u{1F600}";
    expect(await store.recordSighting({ naturalKey: key, source: "'; --" })).toBe(true);
    expect(await store.recordSighting({ naturalKey: `${key}2`, source: "'; --" })).toBe(true);
    expect((await store.getSightings(key)).map((s) => s.source)).toEqual(["'; --"]);
  });
}
