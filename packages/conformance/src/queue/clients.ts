import { type Backend, bucketFor } from "@core/protocols";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { pairs, type QueueContext } from "./context.js";

async function withSecondClient<T>(ctx: QueueContext, fn: (second: Backend) => Promise<T>): Promise<T> {
  const second = await ctx.options.open();
  try {
    return await fn(second);
  } finally {
    await second.close();
  }
}

/**
 * What a second client sees (`capabilities.crossProcess`) and what survives a reopen
 * (`capabilities.persistent`); reported as skipped for a capability the backend lacks.
 *
 * @example
 * ```ts
 * registerQueueClients(ctx);
 * ```
 */
export function registerQueueClients(ctx: QueueContext): void {
  describeCapability(ctx.caps.crossProcess, "crossProcess", () => {
    test("a second client sees flushed writes, continues the offsets and sees committed groups", async () => {
      const name = freshName("queue");
      const q = ctx.backend.queue<string>(name);
      await q.putBatch(["a", "b"]);
      await q.commit("g", 2);
      await q.flush();
      await withSecondClient(ctx, async (second) => {
        const other = second.queue<string>(name);
        expect(pairs(await other.get())).toEqual([
          [0, "a"],
          [1, "b"],
        ]);
        expect(await other.committed("g")).toBe(2);
        expect(await other.put("c")).toBe(2);
        await other.commit("g", 3);
        await other.flush();
      });
      expect(await q.count()).toBe(3);
      expect(await q.committed("g")).toBe(3);
      expect(await q.put("d")).toBe(3);
    });

    test("concurrent putBatch from two clients stays contiguous with dense offsets", async () => {
      const name = freshName("queue");
      await withSecondClient(ctx, async (second) => {
        const queues = [ctx.backend.queue<[number, number]>(name), second.queue<[number, number]>(name)];
        const batches = Array.from({ length: 16 }, (_, b) => ({ b, size: (b % 4) + 2 }));
        const results = await Promise.all(
          batches.map(({ b, size }) =>
            queues[b % 2]?.putBatch(Array.from({ length: size }, (_, i) => [b, i] as [number, number])),
          ),
        );
        await Promise.all(queues.map((q) => q.flush()));
        const total = batches.reduce((sum, { size }) => sum + size, 0);
        const entries = await queues[0]?.get({ limit: total + 10 });
        expect(entries?.map((e) => e.offset)).toEqual(Array.from({ length: total }, (_, i) => i));
        for (const [b, result] of results.entries()) {
          const slice = entries?.slice(result?.first, (result?.first ?? 0) + (result?.count ?? 0)).map((e) => e.value);
          expect(slice).toEqual(Array.from({ length: batches[b]?.size ?? 0 }, (_, i) => [b, i]));
        }
      });
    });
  });

  describeCapability(ctx.caps.persistent, "persistent", () => {
    test("offsets, trim, groups and values survive closing and reopening", async () => {
      const name = freshName("queue");
      const first = await ctx.options.open();
      const q = first.queue(name);
      await q.putBatch([new Date(5), 7n, "c", new Uint8Array([1])]);
      await q.trim({ before: 1 });
      await q.commit("g", 3);
      await first.close();
      const reopened = await ctx.options.open();
      try {
        const again = reopened.queue(name);
        expect(await again.count()).toBe(4);
        expect(await again.stats()).toMatchObject({ totalCount: 4, firstOffset: 1 });
        expect(pairs(await again.get({ offset: 0 }))).toEqual([
          [1, 7n],
          [2, "c"],
          [3, new Uint8Array([1])],
        ]);
        expect(await again.committed("g")).toBe(3);
        expect(await again.put("next")).toBe(4);
      } finally {
        await reopened.close();
      }
    });

    describeCapability(ctx.caps.buckets, "buckets", () => {
      test("per-bucket offsets survive closing and reopening", async () => {
        const name = freshName("queue");
        const first = await ctx.options.open();
        const q = first.queue<string>(name, { buckets: 2 });
        await q.putBatch(["a", "b"], { key: "k" });
        await first.close();
        const reopened = await ctx.options.open();
        try {
          const again = reopened.queue<string>(name, { buckets: 2 });
          expect(await again.put("c", { key: "k" })).toBe(2);
          expect(pairs(await again.bucket(bucketFor("k", 2)).get()).map(([, v]) => v)).toEqual(["a", "b", "c"]);
        } finally {
          await reopened.close();
        }
      });
    });
  });
}
