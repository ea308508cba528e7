import type { Backend } from "@core/protocols";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { pairs, type QueueContext } from "./context.js";

/** Never reached in a test: writes leave the buffer by batch size, flush or close only. */
const NEVER_MS = 600_000;

/**
 * Client-side write buffering (`batchSize`, `flushIntervalMs`, `maxBuffered`; PROTOCOLS.md
 * §2), the same on every backend: a buffered write is readable once its `put` resolves,
 * and visible to every client after `flush()`, a full batch, the interval, or `close()`;
 * a full buffer makes `put` wait (it never fails for it); close writes what is buffered.
 *
 * @example
 * ```ts
 * describe("write buffering", () => registerQueueBuffering(ctx));
 * ```
 */
export function registerQueueBuffering(ctx: QueueContext): void {
  test("buffered puts are written by flush(), in order, at consecutive offsets", async () => {
    const name = freshName("queue");
    const q = ctx.backend.queue<number>(name, { batchSize: 1000, flushIntervalMs: NEVER_MS });
    const puts = [q.put(1), q.putBatch([2, 3]), q.put(4)];
    await q.flush();
    expect(await Promise.all(puts)).toEqual([0, { first: 1, count: 2 }, 3]);
    expect(pairs(await ctx.backend.queue<number>(name).get())).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(await q.stats()).toMatchObject({ totalCount: 4, bufferedCount: 0, persistedCount: 4 });
    expect(await q.count()).toBe(4);
  });

  test("a full batch is written without flush(); a put is readable once it resolves", async () => {
    const name = freshName("queue");
    const q = ctx.backend.queue<string>(name, { batchSize: 2, flushIntervalMs: NEVER_MS });
    expect(await Promise.all([q.put("a"), q.put("b")])).toEqual([0, 1]);
    expect(pairs(await q.get())).toEqual([
      [0, "a"],
      [1, "b"],
    ]);
    await q.flush();
  });

  test("buffered writes reach the log after flushIntervalMs without flush()", async () => {
    const name = freshName("queue");
    const q = ctx.backend.queue<string>(name, { batchSize: 1000, flushIntervalMs: 1 });
    expect(await q.put("a")).toBe(0);
    const reader = ctx.backend.queue<string>(name);
    await expect.poll(async () => pairs(await reader.get()), { timeout: 10_000 * ctx.timeScale }).toEqual([[0, "a"]]);
    await expect.poll(async () => (await q.stats()).bufferedCount, { timeout: 10_000 * ctx.timeScale }).toBe(0);
  });

  test("maxBuffered: a put into a full buffer waits for it to be written, then succeeds", async () => {
    const name = freshName("queue");
    const q = ctx.backend.queue<number>(name, { batchSize: 1000, flushIntervalMs: NEVER_MS, maxBuffered: 2 });
    const values = Array.from({ length: 9 }, (_, i) => i);
    const puts = values.map((v) => q.put(v));
    // The third put found the buffer full: the first two were written to make room.
    expect(await Promise.all(puts.slice(0, 2))).toEqual([0, 1]);
    expect(pairs(await ctx.backend.queue<number>(name).get({ limit: 2 }))).toEqual([
      [0, 0],
      [1, 1],
    ]);
    await q.flush();
    expect(await Promise.all(puts)).toEqual(values);
    expect((await q.get()).map((e) => e.value)).toEqual(values);
  });

  test("close() writes what is buffered: buffered puts resolve with their offsets", async () => {
    const name = freshName("queue");
    const backend: Backend = await ctx.options.open();
    const q = backend.queue<number>(name, { batchSize: 1000, flushIntervalMs: NEVER_MS });
    const puts = [q.put(1), q.putBatch([2, 3])];
    await backend.close();
    expect(await Promise.all(puts)).toEqual([0, { first: 1, count: 2 }]);
    await expect(q.put(4)).rejects.toMatchObject({ code: "CLOSED" });
  });

  describeCapability(ctx.caps.crossProcess, "crossProcess", () => {
    test("another client sees buffered writes after flush()", async () => {
      const name = freshName("queue");
      const q = ctx.backend.queue<string>(name, { batchSize: 1000, flushIntervalMs: NEVER_MS });
      const put = q.putBatch(["a", "b"]);
      await q.flush();
      await put;
      const second = await ctx.options.open();
      try {
        expect(pairs(await second.queue<string>(name).get())).toEqual([
          [0, "a"],
          [1, "b"],
        ]);
      } finally {
        await second.close();
      }
    });
  });

  describeCapability(ctx.caps.persistent, "persistent", () => {
    test("buffered writes written by close() are there after a reopen", async () => {
      const name = freshName("queue");
      const backend = await ctx.options.open();
      const q = backend.queue<number>(name, { batchSize: 1000, flushIntervalMs: NEVER_MS });
      const put = q.putBatch([1, 2]);
      await backend.close();
      await put;
      const reopened = await ctx.options.open();
      try {
        expect(pairs(await reopened.queue<number>(name).get())).toEqual([
          [0, 1],
          [1, 2],
        ]);
      } finally {
        await reopened.close();
      }
    });
  });
}
