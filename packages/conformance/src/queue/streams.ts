import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName, waitFor } from "../names.js";
import { collect, expectCode, pairs, type QueueContext, stillPending, within } from "./context.js";

/**
 * `stream`: non-blocking reads in pages, limits, blocking reads woken by writers, and the
 * three ways a blocked stream ends (abort, already aborted, backend close).
 *
 * @example
 * ```ts
 * registerQueueStreams(ctx);
 * ```
 */
export function registerQueueStreams(ctx: QueueContext): void {
  const bound = () => 2000 * ctx.timeScale;

  test("a non-blocking stream reads every entry in order across pages and ends at the current end", async () => {
    const q = ctx.queue<number>();
    await q.putBatch(Array.from({ length: 250 }, (_, i) => i));
    const entries = await collect(() => q.stream());
    expect(pairs(entries)).toEqual(Array.from({ length: 250 }, (_, i) => [i, i]));
    const explicit = await collect(() => q.stream({ block: false, offset: 0 }));
    expect(explicit.length).toBe(250);
  });

  test("stream honours offset and limit, and starts at firstOffset below it", async () => {
    const q = ctx.queue<number>();
    await q.putBatch(Array.from({ length: 20 }, (_, i) => i));
    expect(pairs(await collect(() => q.stream({ offset: 5, limit: 3 })))).toEqual([
      [5, 5],
      [6, 6],
      [7, 7],
    ]);
    expect((await collect(() => q.stream({ offset: 18, limit: 10 }))).length).toBe(2);
    expect(await collect(() => q.stream({ offset: 20 }))).toEqual([]);
    expect(await collect(() => q.stream({ limit: 0 }))).toEqual([]);
    await q.trim({ before: 15 });
    expect((await collect(() => q.stream({ offset: 2 }))).map((e) => e.offset)).toEqual([15, 16, 17, 18, 19]);
  });

  test("an empty topic streams nothing", async () => {
    const q = ctx.queue();
    expect(await collect(() => q.stream())).toEqual([]);
  });

  if (!ctx.caps.blockingStream) {
    test("stream({ block: true }) is NOT_SUPPORTED without capabilities.blockingStream", async () => {
      const q = ctx.queue();
      await expectCode(() => collect(() => q.stream({ block: true, limit: 1 })), "NOT_SUPPORTED");
    });
  }
  describeCapability(ctx.caps.blockingStream, "blockingStream", () => registerBlockingStreams(ctx, bound));
}

function registerBlockingStreams(ctx: QueueContext, bound: () => number): void {
  test("a blocking stream waits at the end and is woken by a put from the same client", async () => {
    const q = ctx.queue<string>();
    await q.putBatch(["a", "b"]);
    const controller = new AbortController();
    const iterator = q.stream({ block: true, signal: controller.signal })[Symbol.asyncIterator]();
    try {
      expect((await within(iterator.next(), bound(), "entry 0")).value).toMatchObject({ offset: 0, value: "a" });
      expect((await within(iterator.next(), bound(), "entry 1")).value).toMatchObject({ offset: 1, value: "b" });
      const next = iterator.next();
      expect(await stillPending(next, 30)).toBe(true);
      await q.put("c");
      const woken = await within(next, bound(), "the wake-up after put");
      expect(woken.done).toBe(false);
      expect(woken.value).toMatchObject({ offset: 2, value: "c" });
      const afterBatch = iterator.next();
      await q.putBatch(["d", "e"]);
      expect((await within(afterBatch, bound(), "the wake-up after putBatch")).value).toMatchObject({ offset: 3 });
      expect((await within(iterator.next(), bound(), "entry 4")).value).toMatchObject({ offset: 4, value: "e" });
    } finally {
      controller.abort();
      await iterator.return?.();
    }
  });

  test("a blocking stream with a limit ends after that many entries", async () => {
    const q = ctx.queue<number>();
    await q.put(0);
    const reading = collect(() => q.stream({ block: true, limit: 3 }));
    await q.put(1);
    await q.put(2);
    await q.put(3);
    expect((await within(reading, bound(), "the limited stream to end")).map((e) => e.offset)).toEqual([0, 1, 2]);
  });

  test("aborting the signal ends a blocked stream cleanly", async () => {
    const q = ctx.queue<number>();
    await q.put(0);
    const controller = new AbortController();
    const reading = collect(() => q.stream({ block: true, signal: controller.signal }));
    expect(await stillPending(reading, 30)).toBe(true);
    controller.abort();
    expect((await within(reading, bound(), "the aborted stream to end")).map((e) => e.offset)).toEqual([0]);
  });

  test("an already-aborted signal ends a blocking stream at once", async () => {
    const q = ctx.queue<number>();
    const reading = collect(() => q.stream({ block: true, signal: AbortSignal.abort() }));
    expect(await within(reading, bound(), "the stream with an aborted signal to end")).toEqual([]);
  });

  test("closing the backend ends a blocked stream", async () => {
    const backend = await ctx.options.open();
    const q = backend.queue<number>(freshName("queue"));
    await q.put(0);
    const seen: number[] = [];
    const reading = (async () => {
      for await (const entry of q.stream({ block: true })) seen.push(entry.offset);
    })().then(
      () => "ended",
      (err: unknown) => (err as { code?: string }).code ?? String(err),
    );
    // Close only once the stored entry was read: the stream is then blocked, not starting.
    await waitFor(() => seen.length === 1, bound(), "the stream to read the stored entry");
    expect(await stillPending(reading, 30)).toBe(true);
    await within(backend.close(), bound(), "close() with a blocked reader");
    expect(["ended", "CLOSED"]).toContain(await within(reading, bound(), "the blocked stream to end on close"));
    expect(seen).toEqual([0]);
  });

  describeCapability(ctx.caps.crossProcess, "crossProcess", () => {
    test("a blocking stream is woken by a write flushed from a second client", async () => {
      const name = freshName("queue");
      const q = ctx.backend.queue<string>(name);
      const second = await ctx.options.open();
      const controller = new AbortController();
      const iterator = q.stream({ block: true, signal: controller.signal })[Symbol.asyncIterator]();
      try {
        const next = iterator.next();
        expect(await stillPending(next, 50)).toBe(true);
        const other = second.queue<string>(name);
        await other.put("from afar");
        await other.flush();
        const woken = await within(next, bound(), "the wake-up from another client");
        expect(woken.value).toMatchObject({ offset: 0, value: "from afar" });
      } finally {
        controller.abort();
        await iterator.return?.();
        await second.close();
      }
    });
  });
}
