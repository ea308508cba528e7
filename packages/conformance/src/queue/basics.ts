import { expect, test } from "vitest";
import { freshName } from "../names.js";
import { expectCode, pairs, type QueueContext, SAMPLE_VALUES } from "./context.js";

/**
 * Offsets, batches, values, reads, counters, consumer groups, trim and namespacing.
 *
 * @example
 * ```ts
 * registerQueueBasics(ctx);
 * ```
 */
export function registerQueueBasics(ctx: QueueContext): void {
  test("put returns dense offsets from 0, strictly increasing", async () => {
    const q = ctx.queue<string>();
    const offsets: number[] = [];
    for (const v of ["a", "b", "c", "d"]) offsets.push(await q.put(v));
    expect(offsets).toEqual([0, 1, 2, 3]);
    expect(q.buckets).toBe(1);
    expect(pairs(await q.get())).toEqual([
      [0, "a"],
      [1, "b"],
      [2, "c"],
      [3, "d"],
    ]);
  });

  test("concurrent puts get distinct dense offsets", async () => {
    const q = ctx.queue<number>();
    const offsets = await Promise.all(Array.from({ length: 50 }, (_, i) => q.put(i)));
    expect([...offsets].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const entries = await q.get({ limit: 100 });
    for (const [i, offset] of offsets.entries()) expect(entries[offset]?.value).toBe(i);
  });

  test("putBatch returns contiguous { first, count } continuing the sequence", async () => {
    const q = ctx.queue<string>();
    expect(await q.put("a")).toBe(0);
    expect(await q.putBatch(["b", "c", "d"])).toEqual({ first: 1, count: 3 });
    expect(await q.put("e")).toBe(4);
    expect(pairs(await q.get()).map(([, v]) => v)).toEqual(["a", "b", "c", "d", "e"]);
  });

  test("putBatch([]) returns the next offset with count 0 and writes nothing", async () => {
    const q = ctx.queue<string>();
    expect(await q.putBatch([])).toEqual({ first: 0, count: 0 });
    await q.put("a");
    expect(await q.putBatch([])).toEqual({ first: 1, count: 0 });
    expect(await q.count()).toBe(1);
    expect(await q.put("b")).toBe(1);
  });

  test("many concurrent putBatch calls stay contiguous and offsets stay dense", async () => {
    const q = ctx.queue<[number, number]>();
    const sizes = Array.from({ length: 20 }, (_, b) => (b % 5) + 1);
    const results = await Promise.all(
      sizes.map((size, b) => q.putBatch(Array.from({ length: size }, (_, i) => [b, i] as [number, number]))),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    const entries = await q.get({ limit: total + 10 });
    expect(entries.map((e) => e.offset)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const [b, result] of results.entries()) {
      expect(result.count).toBe(sizes[b]);
      const slice = entries.slice(result.first, result.first + result.count).map((e) => e.value);
      expect(slice).toEqual(Array.from({ length: result.count }, (_, i) => [b, i]));
    }
  });

  test("values round-trip exactly through put and putBatch (falsy values are values)", async () => {
    const q = ctx.queue();
    for (const value of SAMPLE_VALUES) await q.put(value);
    await q.putBatch(SAMPLE_VALUES);
    const entries = await q.get({ limit: 1000 });
    expect(entries.map((e) => e.value)).toEqual([...SAMPLE_VALUES, ...SAMPLE_VALUES]);
    expect(entries[6]?.value).toBeInstanceOf(Date);
    expect(typeof entries[7]?.value).toBe("bigint");
    expect(entries[8]?.value).toBeInstanceOf(Uint8Array);
    expect(entries[9]?.value).toBeInstanceOf(Map);
    expect(entries[10]?.value).toBeInstanceOf(Set);
  });

  test("stored values are copies: later mutation of the argument or a result changes nothing", async () => {
    const q = ctx.queue<{ list: number[] }>();
    const value = { list: [1] };
    await q.put(value);
    value.list.push(2);
    const [first] = await q.get();
    expect(first?.value).toEqual({ list: [1] });
    first?.value.list.push(3);
    expect((await q.get())[0]?.value).toEqual({ list: [1] });
  });

  test("entries carry a millisecond timestamp of when they were appended", async () => {
    const q = ctx.queue<number>();
    await q.put(1);
    await q.putBatch([2, 3]);
    for (const entry of await q.get()) {
      expect(Number.isFinite(entry.timestamp)).toBe(true);
      expect(Math.abs(entry.timestamp - Date.now())).toBeLessThan(60_000);
    }
  });

  test("get reads 100 entries by default, honours offset and limit", async () => {
    const q = ctx.queue<number>();
    await q.putBatch(Array.from({ length: 150 }, (_, i) => i));
    const page = await q.get();
    expect(page.map((e) => e.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(pairs(await q.get({ offset: 10, limit: 3 }))).toEqual([
      [10, 10],
      [11, 11],
      [12, 12],
    ]);
    expect((await q.get({ offset: 120 })).length).toBe(30);
    expect(await q.get({ offset: 0, limit: 0 })).toEqual([]);
    expect(await q.get({ offset: 150 })).toEqual([]);
    expect(await q.get({ offset: 10_000 })).toEqual([]);
    expect((await q.get({ limit: 500 })).length).toBe(150);
  });

  test("get below firstOffset starts at firstOffset; without offset reads from firstOffset", async () => {
    const q = ctx.queue<number>();
    await q.putBatch([0, 1, 2, 3, 4]);
    await q.trim({ before: 3 });
    expect(pairs(await q.get({ offset: 0 }))).toEqual([
      [3, 3],
      [4, 4],
    ]);
    expect(pairs(await q.get({ offset: 1, limit: 1 }))).toEqual([[3, 3]]);
    expect(pairs(await q.get())).toEqual([
      [3, 3],
      [4, 4],
    ]);
  });

  test("an empty topic: no entries, count 0, stats all 0", async () => {
    const q = ctx.queue();
    expect(await q.get()).toEqual([]);
    expect(await q.count()).toBe(0);
    const stats = await q.stats();
    expect(stats.totalCount).toBe(0);
    expect(stats.firstOffset).toBe(0);
  });

  test("flush resolves; afterwards nothing is buffered and persistedCount === totalCount", async () => {
    const q = ctx.queue<number>();
    await q.putBatch([1, 2, 3]);
    await q.put(4);
    await expect(q.flush()).resolves.toBeUndefined();
    const stats = await q.stats();
    expect(stats).toMatchObject({ totalCount: 4, firstOffset: 0, bufferedCount: 0, persistedCount: 4 });
    for (const key of Object.keys(stats)) expect(typeof stats[key]).toBe("number");
  });

  test("count and stats.totalCount include trimmed entries", async () => {
    const q = ctx.queue<number>();
    await q.putBatch([0, 1, 2, 3, 4, 5]);
    await q.trim({ before: 4 });
    expect(await q.count()).toBe(6);
    await q.flush();
    expect(await q.stats()).toMatchObject({ totalCount: 6, firstOffset: 4, persistedCount: 6 });
  });

  test("trim { before } drops older entries, returns how many; later offsets and new puts continue", async () => {
    const q = ctx.queue<string>();
    await q.putBatch(["a", "b", "c", "d", "e"]);
    expect(await q.trim({ before: 2 })).toBe(2);
    expect((await q.stats()).firstOffset).toBe(2);
    expect(pairs(await q.get())).toEqual([
      [2, "c"],
      [3, "d"],
      [4, "e"],
    ]);
    expect(await q.trim({ before: 1 })).toBe(0);
    expect(await q.trim({ before: 2 })).toBe(0);
    expect(await q.put("f")).toBe(5);
    expect(await q.putBatch(["g"])).toEqual({ first: 6, count: 1 });
    expect(pairs(await q.get({ offset: 5 }))).toEqual([
      [5, "f"],
      [6, "g"],
    ]);
  });

  test("trim { maxLength } keeps the newest entries and returns how many were dropped", async () => {
    const q = ctx.queue<number>();
    await q.putBatch([0, 1, 2, 3, 4, 5, 6]);
    expect(await q.trim({ maxLength: 10 })).toBe(0);
    expect(await q.trim({ maxLength: 3 })).toBe(4);
    expect((await q.stats()).firstOffset).toBe(4);
    expect(pairs(await q.get()).map(([o]) => o)).toEqual([4, 5, 6]);
    expect(await q.trim({ maxLength: 0 })).toBe(3);
    expect(await q.get()).toEqual([]);
    expect(await q.stats()).toMatchObject({ totalCount: 7, firstOffset: 7 });
    expect(await q.put(7)).toBe(7);
    expect(pairs(await q.get())).toEqual([[7, 7]]);
  });

  test("committed is 0 for a new group; commit stores the value as is, groups are independent", async () => {
    const q = ctx.queue<number>();
    await q.putBatch([0, 1, 2, 3]);
    expect(await q.committed("workers")).toBe(0);
    await q.commit("workers", 3);
    expect(await q.committed("workers")).toBe(3);
    expect(await q.committed("audit")).toBe(0);
    await q.commit("audit", 1);
    await q.commit("workers", 1); // backwards, to replay
    expect(await q.committed("workers")).toBe(1);
    expect(await q.committed("audit")).toBe(1);
    await q.commit("workers", 0);
    expect(await q.committed("workers")).toBe(0);
  });

  test("two handles on one topic share data; two topics never see each other", async () => {
    const name = freshName("queue");
    const a = ctx.backend.queue<string>(name);
    const same = ctx.backend.queue<string>(name);
    const other = ctx.backend.queue<string>(freshName("queue"));
    await a.put("a0");
    await other.putBatch(["o0", "o1"]);
    await same.put("a1");
    await a.commit("g", 2);
    expect(pairs(await same.get())).toEqual([
      [0, "a0"],
      [1, "a1"],
    ]);
    expect(pairs(await other.get())).toEqual([
      [0, "o0"],
      [1, "o1"],
    ]);
    expect(await other.committed("g")).toBe(0);
    expect(await same.committed("g")).toBe(2);
    await other.trim({ maxLength: 0 });
    expect(await a.count()).toBe(2);
    expect((await a.stats()).firstOffset).toBe(0);
    expect(a.name).toBe(name);
  });

  test("on an unbucketed queue bucket(0) is the queue itself and other indexes are INVALID_ARGUMENT", async () => {
    const q = ctx.queue<string>();
    await q.put("a");
    const zero = q.bucket(0);
    expect(pairs(await zero.get())).toEqual([[0, "a"]]);
    await zero.put("b");
    expect(await q.count()).toBe(2);
    await expectCode(() => q.bucket(1), "INVALID_ARGUMENT");
    await expectCode(() => q.bucket(-1), "INVALID_ARGUMENT");
    await expectCode(() => q.bucket(0.5), "INVALID_ARGUMENT");
  });
}
