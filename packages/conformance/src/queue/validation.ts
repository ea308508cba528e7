import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { collect, expectCode, pairs, type QueueContext } from "./context.js";

const BAD_NAMES: unknown[] = ["", "x".repeat(129), "a\u0000b", "line\nbreak", "tab\there", "del\u007f", 42, null];
const BAD_NUMBERS: unknown[] = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "3", null];

class Custom {
  readonly x = 1;
}

function unencodable(): unknown[] {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  const deepCycle: unknown[] = [];
  deepCycle.push({ list: deepCycle });
  return [() => 1, Symbol("s"), cycle, deepCycle, { nested: { fn: () => 1 } }, [Symbol("in array")]];
}

/**
 * Bad input is `INVALID_ARGUMENT` and writes nothing; after `close()` every call is `CLOSED`.
 *
 * @example
 * ```ts
 * registerQueueValidation(ctx);
 * ```
 */
export function registerQueueValidation(ctx: QueueContext): void {
  test("bad topic names are INVALID_ARGUMENT; 128 characters and unicode are fine", async () => {
    for (const name of BAD_NAMES) {
      await expectCode(async () => {
        const q = ctx.backend.queue(name as string);
        await q.put(1);
      }, "INVALID_ARGUMENT");
    }
    const long = ctx.backend.queue<number>(freshName("q").padEnd(128, "x"));
    expect(await long.put(1)).toBe(0);
    const unicode = ctx.backend.queue<number>(`${freshName("queue")} ünï/../*?% ✓`);
    expect(await unicode.put(1)).toBe(0);
  });

  test("unencodable values are INVALID_ARGUMENT and nothing is written", async () => {
    const q = ctx.queue();
    await q.put("kept");
    for (const value of unencodable()) await expectCode(() => q.put(value), "INVALID_ARGUMENT");
    expect(await q.count()).toBe(1);
    expect(pairs(await q.get())).toEqual([[0, "kept"]]);
    expect(await q.put("next")).toBe(1);
  });

  test("one bad value inside a putBatch rejects the whole batch and writes nothing of it", async () => {
    const q = ctx.queue();
    for (const bad of unencodable()) {
      await expectCode(() => q.putBatch([1, 2, bad, 4]), "INVALID_ARGUMENT");
      await expectCode(() => q.putBatch([bad]), "INVALID_ARGUMENT");
    }
    await expectCode(() => q.putBatch("abc" as unknown as string[]), "INVALID_ARGUMENT");
    await expectCode(() => q.putBatch(null as unknown as string[]), "INVALID_ARGUMENT");
    expect(await q.count()).toBe(0);
    expect(await q.get()).toEqual([]);
    expect(await q.putBatch([1, 2])).toEqual({ first: 0, count: 2 });
  });

  test("class instances are rejected by the default codec", async () => {
    const q = ctx.queue();
    await expectCode(() => q.put(new Custom()), "INVALID_ARGUMENT");
    expect(await q.count()).toBe(0);
  });

  test("negative, fractional or non-numeric offsets and limits are INVALID_ARGUMENT", async () => {
    const q = ctx.queue<number>();
    await q.putBatch([1, 2, 3]);
    for (const bad of BAD_NUMBERS) {
      await expectCode(() => q.get({ offset: bad as number }), "INVALID_ARGUMENT");
      await expectCode(() => q.get({ limit: bad as number }), "INVALID_ARGUMENT");
      await expectCode(() => collect(() => q.stream({ offset: bad as number })), "INVALID_ARGUMENT");
      await expectCode(() => collect(() => q.stream({ limit: bad as number })), "INVALID_ARGUMENT");
    }
  });

  test("bad trim options are INVALID_ARGUMENT and trim nothing", async () => {
    const q = ctx.queue<number>();
    await q.putBatch([1, 2, 3]);
    const bad: unknown[] = [
      undefined,
      null,
      {},
      { before: 1, maxLength: 1 },
      ...BAD_NUMBERS.map((before) => ({ before })),
      ...BAD_NUMBERS.map((maxLength) => ({ maxLength })),
    ];
    for (const options of bad) await expectCode(() => q.trim(options as { before: number }), "INVALID_ARGUMENT");
    expect(await q.stats()).toMatchObject({ totalCount: 3, firstOffset: 0 });
  });

  test("bad group names and offsets are INVALID_ARGUMENT and store nothing", async () => {
    const q = ctx.queue();
    for (const group of BAD_NAMES) {
      await expectCode(() => q.commit(group as string, 1), "INVALID_ARGUMENT");
      await expectCode(() => q.committed(group as string), "INVALID_ARGUMENT");
    }
    for (const offset of BAD_NUMBERS) await expectCode(() => q.commit("g", offset as number), "INVALID_ARGUMENT");
    expect(await q.committed("g")).toBe(0);
    await q.commit("g", 2);
    await expectCode(() => q.commit("g", -5), "INVALID_ARGUMENT");
    expect(await q.committed("g")).toBe(2);
  });

  test("after backend close every call is CLOSED (close is idempotent)", async () => {
    const backend = await ctx.options.open();
    const name = freshName("queue");
    const q = backend.queue<number>(name);
    await q.put(1);
    await backend.close();
    await backend.close();
    await expectCode(() => backend.queue(freshName("queue")).put(1), "CLOSED");
    await expectCode(() => q.put(2), "CLOSED");
    await expectCode(() => q.putBatch([2]), "CLOSED");
    await expectCode(() => q.get(), "CLOSED");
    await expectCode(() => collect(() => q.stream()), "CLOSED");
    await expectCode(() => collect(() => q.stream({ block: ctx.caps.blockingStream })), "CLOSED");
    await expectCode(() => q.flush(), "CLOSED");
    await expectCode(() => q.count(), "CLOSED");
    await expectCode(() => q.stats(), "CLOSED");
    await expectCode(() => q.commit("g", 1), "CLOSED");
    await expectCode(() => q.committed("g"), "CLOSED");
    await expectCode(() => q.trim({ before: 1 }), "CLOSED");
    await expectCode(() => q.bucket(0).get(), "CLOSED");
  });

  // Drift pinned: memory checked the state first, sqlite the arguments first.
  test("on a closed backend bad arguments are CLOSED too: the state is checked first", async () => {
    const backend = await ctx.options.open();
    const q = backend.queue<number>(freshName("queue"));
    await backend.close();
    await expectCode(() => q.put(1, { key: 5 as unknown as string }), "CLOSED");
    await expectCode(() => q.putBatch("x" as unknown as number[]), "CLOSED");
    await expectCode(() => q.get({ offset: -1 }), "CLOSED");
    await expectCode(() => collect(() => q.stream({ limit: -1 })), "CLOSED");
    await expectCode(() => q.commit("", -1), "CLOSED");
    await expectCode(() => q.committed(""), "CLOSED");
    await expectCode(() => q.trim({} as { before: number }), "CLOSED");
    await expectCode(() => q.bucket(-1), "CLOSED");
  });

  describeCapability(ctx.caps.buckets, "buckets", () => {
    test("on a closed backend a bucketed queue answers CLOSED, even for a bucket out of range", async () => {
      const backend = await ctx.options.open();
      const bucketed = backend.queue<number>(freshName("queue"), { buckets: 2 });
      await backend.close();
      await expectCode(() => bucketed.put(1), "CLOSED");
      await expectCode(() => bucketed.bucket(7), "CLOSED");
    });
  });
}
