import type { QueueEntry } from "@core/protocols";
import { expect, test } from "vitest";
import { freshName } from "../names.js";
import { expectCode, type QueueContext, within } from "./context.js";

/**
 * Awkward moments of a reader and of the log: a consumer that aborts (or closes the
 * backend) while it holds an entry gets nothing more, even with entries left to read; bad
 * put options write nothing; entries written after a trim that dropped most of the log
 * keep their values and timestamps.
 *
 * @example
 * ```ts
 * describe("abort while holding an entry, trims", () => registerQueueAbortAndTrim(ctx));
 * ```
 */
export function registerQueueAbortAndTrim(ctx: QueueContext): void {
  const bound = () => 10_000 * ctx.timeScale;
  const blocking = ctx.caps.blockingStream ? [false, true] : [false];

  test.each(blocking)(
    "aborting while holding an entry ends the stream with entries left (block: %s)",
    async (block) => {
      const q = ctx.queue<number>();
      await q.putBatch([0, 1, 2, 3, 4]);
      const controller = new AbortController();
      const seen: number[] = [];
      const reading = (async () => {
        for await (const entry of q.stream({ block, signal: controller.signal })) {
          seen.push(entry.offset);
          if (seen.length === 2) controller.abort();
        }
      })();
      await within(reading, bound(), "the stream aborted by its consumer to end");
      expect(seen).toEqual([0, 1]);
    },
  );

  test("closing the backend while a consumer holds an entry ends its stream with entries left", async () => {
    const backend = await ctx.options.open();
    const q = backend.queue<number>(freshName("queue"));
    await q.putBatch([0, 1, 2, 3]);
    const seen: number[] = [];
    const reading = (async () => {
      for await (const entry of q.stream({ block: false })) {
        seen.push(entry.offset);
        if (seen.length === 1) await backend.close();
      }
    })().then(
      () => "ended",
      (err: unknown) => (err as { code?: string }).code ?? String(err),
    );
    expect(["ended", "CLOSED"]).toContain(await within(reading, bound(), "the stream to end on close"));
    expect(seen).toEqual([0]);
  });

  test("put and putBatch with options that are not an object, or a key that is not a string, write nothing", async () => {
    const q = ctx.queue<number>();
    for (const options of ["key", 5, { key: 5 }, { key: "" }]) {
      await expectCode(() => q.put(1, options as never), "INVALID_ARGUMENT");
      await expectCode(() => q.putBatch([1, 2], options as never), "INVALID_ARGUMENT");
    }
    expect(await q.count()).toBe(0);
    expect(await q.put(1, {})).toBe(0);
  });

  test("entries written after trims that dropped most of the log keep their values and timestamps", async () => {
    const q = ctx.queue<string>();
    const start = Date.now();
    const check = (entries: QueueEntry<string>[], offsets: number[]) => {
      expect(entries.map((e) => [e.offset, e.value])).toEqual(offsets.map((o) => [o, `v${o}`]));
      for (const entry of entries) {
        expect(typeof entry.timestamp, `timestamp of ${entry.offset}`).toBe("number");
        expect(entry.timestamp).toBeGreaterThanOrEqual(start - 1000);
        expect(entry.timestamp).toBeLessThanOrEqual(Date.now() + 1000);
      }
    };
    await q.putBatch(["v0", "v1", "v2", "v3"]);
    expect(await q.trim({ before: 3 })).toBe(3);
    await q.put("v4");
    await q.putBatch(["v5", "v6"]);
    check(await q.get(), [3, 4, 5, 6]);
    expect(await q.trim({ before: 6 })).toBe(3);
    await q.putBatch(["v7", "v8"]);
    check(await q.get(), [6, 7, 8]);
    check(await q.get({ offset: 7, limit: 1 }), [7]);
    expect(await q.trim({ maxLength: 1 })).toBe(2);
    await q.put("v9");
    check(await q.get(), [8, 9]);
    expect((await q.stats()).firstOffset).toBe(8);
  });
}
