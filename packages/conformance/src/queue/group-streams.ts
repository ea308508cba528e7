import type { GroupEntry, Queue } from "@core/protocols";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { sleep, waitFor } from "../names.js";
import { collect, expectCode, type QueueContext } from "./context.js";

/** Takes `n` entries of a group stream without finishing the stream (the member holds them). */
async function take<V>(iterator: AsyncIterator<GroupEntry<V>>, n: number): Promise<GroupEntry<V>[]> {
  const out: GroupEntry<V>[] = [];
  for (let i = 0; i < n; i++) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

const offsets = (entries: readonly { offset: number }[]) => entries.map((e) => e.offset);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Group streams (`stream({ group, autoCommit, leaseMs, batchSize })`): each entry to one
 * member, commits that a new member resumes from, redelivery when a lease ends or a member
 * stops early, `commit(group, n)` moving a streaming group, and bad options.
 *
 * @example
 * ```ts
 * registerQueueGroupStreams(ctx);
 * ```
 */
export function registerQueueGroupStreams(ctx: QueueContext): void {
  test("members of a group share the entries: each goes to exactly one, all get committed", async () => {
    const q = ctx.queue<number>();
    await q.putBatch(range(0, 40));
    const member = (q2: Queue<number>) =>
      (async () => {
        const got: number[] = [];
        for await (const entry of q2.stream({ group: "g", batchSize: 3 })) {
          got.push(entry.value);
          await sleep(1);
        }
        return got;
      })();
    const other = ctx.caps.crossProcess ? await ctx.options.open() : ctx.backend;
    try {
      const [a, b] = await Promise.all([member(q), member(other.queue<number>(q.name))]);
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(range(0, 40));
      expect(a.length + b.length).toBe(40);
    } finally {
      if (other !== ctx.backend) await other.close();
    }
    expect(await q.committed("g")).toBe(40);
    expect(await collect(() => q.stream({ group: "g" }))).toEqual([]);
    // Another group has its own position.
    expect(offsets(await collect(() => q.stream({ group: "h", limit: 2 })))).toEqual([0, 1]);
  });

  test("a new member resumes after the last commit; a group starts at its plain commit", async () => {
    const q = ctx.queue<string>();
    await q.putBatch(["a", "b", "c", "d", "e", "f"]);
    expect((await collect(() => q.stream({ group: "g", limit: 2 }))).map((e) => e.value)).toEqual(["a", "b"]);
    expect(await q.committed("g")).toBe(2);
    // Another client while this one is open: only a crossProcess backend shares its data with
    // one (a persistent single-client backend, e.g. the file backend's `exclusive`, refuses it).
    const reopened = ctx.caps.crossProcess ? await ctx.options.open() : ctx.backend;
    try {
      const again = reopened.queue<string>(q.name);
      expect((await collect(() => again.stream({ group: "g", limit: 3 }))).map((e) => e.value)).toEqual([
        "c",
        "d",
        "e",
      ]);
    } finally {
      if (reopened !== ctx.backend) await reopened.close();
    }
    await q.commit("fresh", 4);
    expect(offsets(await collect(() => q.stream({ group: "fresh" })))).toEqual([4, 5]);
  });

  test("autoCommit: false — entry.commit() commits; uncommitted entries come back when the lease ends", async () => {
    const q = ctx.queue<number>();
    await q.putBatch(range(0, 6));
    const leaseMs = 1500 * ctx.timeScale;
    const slow = q.stream({ group: "g", autoCommit: false, leaseMs, batchSize: 3 })[Symbol.asyncIterator]();
    const held = await take(slow, 3);
    expect(offsets(held)).toEqual([0, 1, 2]);
    await held[0]?.commit();
    expect(await q.committed("g")).toBe(1);
    // Another member gets the next entries, not the ones held under a lease.
    expect(offsets(await collect(() => q.stream({ group: "g", limit: 3 })))).toEqual([3, 4, 5]);
    expect(await q.committed("g")).toBe(1);
    await sleep(leaseMs + 100);
    expect(offsets(await collect(() => q.stream({ group: "g" })))).toEqual([1, 2]);
    expect(await q.committed("g")).toBe(6);
    // The lease had ended: the slow member is told, it never commits what others handled.
    await expectCode(() => held[2]?.commit(), "CONFLICT");
    await slow.return?.();
  });

  test("a member that stops early commits what it finished and hands the rest on at once", async () => {
    const q = ctx.queue<string>();
    await q.putBatch(["a", "b", "c", "d", "e"]);
    for await (const entry of q.stream({ group: "g", batchSize: 5 })) {
      if (entry.value === "c") break;
    }
    // "a" and "b" were finished; "c" may not have been (break and throw look the same).
    expect(await q.committed("g")).toBe(2);
    expect((await collect(() => q.stream({ group: "g" }))).map((e) => e.value)).toEqual(["c", "d", "e"]);
    const manual = q.stream({ group: "m", autoCommit: false, batchSize: 5 })[Symbol.asyncIterator]();
    const got = await take(manual, 2);
    await got[0]?.commit();
    await manual.return?.();
    expect(offsets(await collect(() => q.stream({ group: "m" })))).toEqual([1, 2, 3, 4]);
  });

  test("commit(group, n) moves a streaming group: claims are dropped, members go on from n", async () => {
    const q = ctx.queue<number>();
    await q.putBatch(range(0, 5));
    const held = q.stream({ group: "g", autoCommit: false })[Symbol.asyncIterator]();
    expect(offsets(await take(held, 1))).toEqual([0]);
    await q.commit("g", 3);
    expect(await q.committed("g")).toBe(3);
    expect(offsets(await collect(() => q.stream({ group: "g" })))).toEqual([3, 4]);
    await q.commit("g", 1);
    expect(offsets(await collect(() => q.stream({ group: "g" })))).toEqual([1, 2, 3, 4]);
    await held.return?.();
  });

  test("bad group stream options are INVALID_ARGUMENT", async () => {
    const q = ctx.queue();
    await q.put(1);
    const bad: unknown[] = [
      { group: "" },
      { group: 5 },
      { group: "g", offset: 0 },
      { group: "g", autoCommit: "yes" },
      { group: "g", leaseMs: 0 },
      { group: "g", leaseMs: 1.5 },
      { group: "g", batchSize: 0 },
      { group: "g", batchSize: 10_001 },
      { autoCommit: false },
      { leaseMs: 1000 },
      { batchSize: 4 },
    ];
    for (const options of bad) await expectCode(() => collect(() => q.stream(options as never)), "INVALID_ARGUMENT");
  });

  describeCapability(ctx.caps.blockingStream, "blockingStream", () => {
    test("blocking members wait for new entries and share them", async () => {
      const q = ctx.queue<number>();
      const controller = new AbortController();
      const seen: number[][] = [[], []];
      const run = (i: number) =>
        (async () => {
          for await (const entry of q.stream({ group: "g", block: true, batchSize: 1, signal: controller.signal })) {
            seen[i]?.push(entry.value);
          }
        })();
      const members = [run(0), run(1)];
      await sleep(100);
      for (let i = 0; i < 10; i++) await q.put(i);
      await q.flush();
      const total = () => (seen[0]?.length ?? 0) + (seen[1]?.length ?? 0);
      await waitFor(() => total() >= 10, 10_000 * ctx.timeScale, "ten entries delivered to the group");
      controller.abort();
      await Promise.all(members);
      expect([...(seen[0] ?? []), ...(seen[1] ?? [])].sort((x, y) => x - y)).toEqual(range(0, 10));
      expect(await q.committed("g")).toBe(10);
    });
  });
}
