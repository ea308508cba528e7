import { expect, test } from "vitest";
import { collect, expectCode, type QueueContext } from "./context.js";

/**
 * `read(from, { toOffset, pageSize })`: a range read in pages, "no limit means all".
 *
 * @example
 * ```ts
 * registerQueueReadRange(ctx);
 * ```
 */
export function registerQueueReadRange(ctx: QueueContext): void {
  test("read(from) yields every entry to the end across pages, in order", async () => {
    const q = ctx.queue<number>();
    await q.putBatch(Array.from({ length: 1100 }, (_, i) => i));
    const all = await collect(() => q.read(0));
    expect(all.map((e) => e.offset)).toEqual(Array.from({ length: 1100 }, (_, i) => i));
    expect(all.map((e) => e.value)).toEqual(Array.from({ length: 1100 }, (_, i) => i));
    const paged = await collect(() => q.read(7, { pageSize: 3 }));
    expect(paged.map((e) => e.offset)).toEqual(Array.from({ length: 1093 }, (_, i) => i + 7));
  });

  test("toOffset is exclusive; from past the end, or from = toOffset, reads nothing", async () => {
    const q = ctx.queue<string>();
    await q.putBatch(["a", "b", "c", "d", "e"]);
    expect((await collect(() => q.read(1, { toOffset: 4, pageSize: 2 }))).map((e) => e.value)).toEqual(["b", "c", "d"]);
    expect((await collect(() => q.read(3, { toOffset: 100 }))).map((e) => e.value)).toEqual(["d", "e"]);
    expect(await collect(() => q.read(2, { toOffset: 2 }))).toEqual([]);
    expect(await collect(() => q.read(5))).toEqual([]);
    expect(await collect(() => q.read(0, { toOffset: 0 }))).toEqual([]);
  });

  test("a trimmed start begins at the first kept entry; entries appended while reading are read", async () => {
    const q = ctx.queue<number>();
    await q.putBatch(Array.from({ length: 10 }, (_, i) => i));
    await q.trim({ before: 6 });
    expect((await collect(() => q.read(0, { toOffset: 8 }))).map((e) => e.offset)).toEqual([6, 7]);
    const seen: number[] = [];
    for await (const entry of q.read(6, { pageSize: 2 })) {
      seen.push(entry.offset);
      if (entry.offset === 7) {
        await q.put(10);
        await q.flush();
      }
    }
    expect(seen).toEqual([6, 7, 8, 9, 10]);
  });

  test("bad arguments are INVALID_ARGUMENT", async () => {
    const q = ctx.queue();
    await q.put(1);
    for (const from of [-1, 1.5, Number.NaN, "0"]) {
      await expectCode(() => collect(() => q.read(from as number)), "INVALID_ARGUMENT");
    }
    await expectCode(() => collect(() => q.read(3, { toOffset: 2 })), "INVALID_ARGUMENT");
    await expectCode(() => collect(() => q.read(0, { toOffset: -1 })), "INVALID_ARGUMENT");
    for (const pageSize of [0, -1, 2.5, 10_001]) {
      await expectCode(() => collect(() => q.read(0, { pageSize })), "INVALID_ARGUMENT");
    }
    await expectCode(() => collect(() => q.read(0, "x" as never)), "INVALID_ARGUMENT");
  });
}
