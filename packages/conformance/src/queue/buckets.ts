import { bucketFor } from "@core/protocols";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { collect, expectCode, pairs, type QueueContext } from "./context.js";

const KEYS = Array.from({ length: 24 }, (_, i) => `key-${i}`);

/**
 * Buckets: routing by `bucketFor`, per-bucket offsets and reads, what the parent refuses,
 * and `NOT_SUPPORTED` when the backend has no buckets.
 *
 * @example
 * ```ts
 * registerQueueBuckets(ctx);
 * ```
 */
export function registerQueueBuckets(ctx: QueueContext): void {
  if (!ctx.caps.buckets) {
    test("{ buckets: 4 } is NOT_SUPPORTED without capabilities.buckets", async () => {
      await expectCode(async () => {
        const q = ctx.backend.queue(freshName("queue"), { buckets: 4 });
        await q.put(1, { key: "k" });
      }, "NOT_SUPPORTED");
    });
  }
  describeCapability(ctx.caps.buckets, "buckets", () => registerBucketTests(ctx));
}

function registerBucketTests(ctx: QueueContext): void {
  test("put routes by bucketFor(key); the same key always lands in the same bucket; offsets are per bucket", async () => {
    const q = ctx.queue<string>({ buckets: 4 });
    expect(q.buckets).toBe(4);
    const expected: [number, string][][] = [[], [], [], []];
    for (const round of [0, 1]) {
      for (const key of KEYS) {
        const b = bucketFor(key, 4);
        const offset = await q.put(`${key}#${round}`, { key });
        expect(offset).toBe(expected[b]?.length);
        expected[b]?.push([offset, `${key}#${round}`]);
      }
    }
    for (let b = 0; b < 4; b++) {
      expect(pairs(await q.bucket(b).get({ limit: 1000 }))).toEqual(expected[b]);
      expect(pairs(await collect(() => q.bucket(b).stream()))).toEqual(expected[b]);
    }
  });

  test("putBatch with a key is contiguous within its bucket", async () => {
    const q = ctx.queue<number>({ buckets: 3 });
    const b = bucketFor("user:1", 3);
    await q.put(-1, { key: "user:1" });
    expect(await q.putBatch([1, 2, 3], { key: "user:1" })).toEqual({ first: 1, count: 3 });
    expect(pairs(await q.bucket(b).get())).toEqual([
      [0, -1],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    for (let i = 0; i < 3; i++) if (i !== b) expect(await q.bucket(i).get()).toEqual([]);
  });

  test("count and stats sum over buckets; each bucket has its own counters, groups and trim", async () => {
    const q = ctx.queue<string>({ buckets: 4 });
    for (const key of KEYS) await q.put(key, { key });
    expect(await q.count()).toBe(KEYS.length);
    await q.flush();
    expect(await q.stats()).toMatchObject({ totalCount: KEYS.length, persistedCount: KEYS.length });
    let sum = 0;
    for (let b = 0; b < 4; b++) sum += await q.bucket(b).count();
    expect(sum).toBe(KEYS.length);
    const b0 = q.bucket(0);
    const b1 = q.bucket(1);
    await b0.commit("g", 1);
    expect(await b0.committed("g")).toBe(1);
    expect(await b1.committed("g")).toBe(0);
    const size0 = await b0.count();
    expect(await b0.trim({ maxLength: 0 })).toBe(size0);
    expect((await b0.stats()).firstOffset).toBe(size0);
    expect((await b1.get({ limit: 1000 })).length).toBe(await b1.count());
    expect(await q.count()).toBe(KEYS.length);
  });

  test("stats().perBucket has each bucket's counters and offsets, summing to the parent's", async () => {
    const q = ctx.queue<string>({ buckets: 3 });
    const sizes = [0, 0, 0];
    for (const key of KEYS) {
      await q.put(key, { key });
      sizes[bucketFor(key, 3)] = (sizes[bucketFor(key, 3)] ?? 0) + 1;
    }
    await q.flush();
    await q.bucket(1).trim({ before: 2 });
    const stats = await q.stats();
    expect(stats.perBucket).toEqual(
      sizes.map((size, bucket) => ({
        bucket,
        totalCount: size,
        firstOffset: bucket === 1 ? 2 : 0,
        bufferedCount: 0,
        persistedCount: size,
      })),
    );
    expect(stats).toMatchObject({ totalCount: KEYS.length, firstOffset: 2, persistedCount: KEYS.length });
    for (let b = 0; b < 3; b++) {
      const own = await q.bucket(b).stats();
      expect(own.perBucket).toBeUndefined();
      expect(own).toMatchObject({ totalCount: sizes[b], firstOffset: stats.perBucket?.[b]?.firstOffset });
    }
  });

  test("two handles on one bucketed topic share data", async () => {
    const name = freshName("queue");
    const a = ctx.backend.queue<string>(name, { buckets: 2 });
    const b = ctx.backend.queue<string>(name, { buckets: 2 });
    await a.put("x", { key: "k" });
    expect(pairs(await b.bucket(bucketFor("k", 2)).get())).toEqual([[0, "x"]]);
  });

  test("the parent refuses reads, commits and trim with INVALID_ARGUMENT", async () => {
    const q = ctx.queue<number>({ buckets: 2 });
    await q.put(1, { key: "k" });
    await expectCode(() => q.get(), "INVALID_ARGUMENT");
    await expectCode(() => collect(() => q.stream()), "INVALID_ARGUMENT");
    await expectCode(() => collect(() => q.stream({ group: "g" })), "INVALID_ARGUMENT");
    await expectCode(() => collect(() => q.read(0)), "INVALID_ARGUMENT");
    await expectCode(() => q.commit("g", 0), "INVALID_ARGUMENT");
    await expectCode(() => q.committed("g"), "INVALID_ARGUMENT");
    await expectCode(() => q.trim({ before: 1 }), "INVALID_ARGUMENT");
    expect(await q.count()).toBe(1);
  });

  test("writes without a valid key are INVALID_ARGUMENT and write nothing", async () => {
    const q = ctx.queue<number>({ buckets: 2 });
    await expectCode(() => q.put(1), "INVALID_ARGUMENT");
    await expectCode(() => q.put(1, {}), "INVALID_ARGUMENT");
    await expectCode(() => q.put(1, { key: "" }), "INVALID_ARGUMENT");
    await expectCode(() => q.putBatch([1, 2]), "INVALID_ARGUMENT");
    await expectCode(() => q.putBatch([1, 2], { key: 5 as unknown as string }), "INVALID_ARGUMENT");
    expect(await q.count()).toBe(0);
  });

  test("a bad bucket index or bucket count is INVALID_ARGUMENT", async () => {
    const q = ctx.queue({ buckets: 4 });
    for (const index of [-1, 4, 1.5, Number.NaN]) await expectCode(() => q.bucket(index), "INVALID_ARGUMENT");
    for (const buckets of [0, -2, 1.5]) {
      await expectCode(async () => {
        const bad = ctx.backend.queue(freshName("queue"), { buckets });
        await bad.put(1, { key: "k" });
      }, "INVALID_ARGUMENT");
    }
  });
}
