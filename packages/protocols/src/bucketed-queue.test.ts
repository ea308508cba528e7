import { describe, expect, it } from "vitest";
import { createBucketedQueue } from "./bucketed-queue.js";
import { rejectionCodeOf } from "./error-code.fixture.js";
import { BackendError } from "./errors.js";
import { Lifecycle } from "./lifecycle.js";
import { bucketFor, type Queue } from "./queue.js";

/** A child queue that records what reaches it (only what the parent calls). */
function child(index: number) {
  const values: unknown[] = [];
  let flushed = 0;
  const queue = {
    name: `t\u0000${index}`,
    buckets: 1,
    put: async (value: unknown) => values.push(value) - 1,
    putBatch: async (batch: readonly unknown[]) => ({
      first: values.push(...batch) - batch.length,
      count: batch.length,
    }),
    flush: async () => {
      flushed++;
    },
    count: async () => values.length,
    stats: async () => ({ totalCount: values.length, firstOffset: 1, bufferedCount: 2, persistedCount: values.length }),
  } as unknown as Queue<unknown>;
  return { queue, values, flushes: () => flushed };
}

function setup() {
  const lifecycle = new Lifecycle("test");
  const children = [child(0), child(1), child(2)];
  const q = createBucketedQueue({ backend: "test", lifecycle, name: "t", children: children.map((c) => c.queue) });
  return { lifecycle, children, q };
}

describe("createBucketedQueue", () => {
  it("routes writes by key to bucketFor(key, n)", async () => {
    const { children, q } = setup();
    expect(q.buckets).toBe(3);
    expect(q.name).toBe("t");
    await q.put("a", { key: "user:1" });
    await q.putBatch(["b", "c"], { key: "user:2" });
    expect(children[bucketFor("user:1", 3)]?.values).toContain("a");
    expect(children[bucketFor("user:2", 3)]?.values).toEqual(expect.arrayContaining(["b", "c"]));
    expect(q.bucket(1)).toBe(children[1]?.queue);
  });

  it("requires a key to write and refuses reads on the parent", async () => {
    const { q } = setup();
    expect(await rejectionCodeOf(q.put("a"))).toBe("INVALID_ARGUMENT");
    expect(await rejectionCodeOf(q.putBatch(["a"], { key: "" }))).toBe("INVALID_ARGUMENT");
    expect(await rejectionCodeOf(q.get())).toBe("INVALID_ARGUMENT");
    expect(await rejectionCodeOf(q.stream()[Symbol.asyncIterator]().next())).toBe("INVALID_ARGUMENT");
    expect(await rejectionCodeOf(q.commit("g", 0))).toBe("INVALID_ARGUMENT");
    expect(await rejectionCodeOf(q.committed("g"))).toBe("INVALID_ARGUMENT");
    expect(await rejectionCodeOf(q.trim({ before: 0 }))).toBe("INVALID_ARGUMENT");
    expect(() => q.bucket(3)).toThrow(/bucket index must be below 3/);
    expect(() => q.bucket(-1)).toThrow(BackendError);
  });

  it("sums count and stats over the buckets and flushes each one", async () => {
    const { children, q } = setup();
    await q.put("a", { key: "k1" });
    await q.put("b", { key: "k2" });
    expect(await q.count()).toBe(2);
    const stats = await q.stats();
    expect(stats).toMatchObject({ totalCount: 2, firstOffset: 3, bufferedCount: 6, persistedCount: 2 });
    // Each bucket's own counters, in bucket order, summing to the parent's.
    expect(stats.perBucket?.map((b) => b.bucket)).toEqual([0, 1, 2]);
    for (const field of ["totalCount", "firstOffset", "bufferedCount", "persistedCount"] as const) {
      expect(stats.perBucket?.reduce((sum, b) => sum + b[field], 0)).toBe(stats[field]);
    }
    await q.flush();
    expect(children.map((c) => c.flushes())).toEqual([1, 1, 1]);
  });

  it("is CLOSED after the lifecycle closes", async () => {
    const { lifecycle, q } = setup();
    await lifecycle.close();
    for (const p of [q.put("a", { key: "k" }), q.get(), q.flush(), q.count(), q.stats()]) {
      expect(await rejectionCodeOf(p)).toBe("CLOSED");
    }
    expect(() => q.bucket(0)).toThrow(/closed/i);
  });
});
