import type { Backend, Queue } from "@core/protocols";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { pairs, type QueueContext } from "./context.js";

type Op = { put: number } | { batch: number } | { trimBefore: number } | { maxLength: number };

// A fixed start that traps a writer which reuses the offset it expects next: handle 0
// writes 0 and 1, then handle 1 writes on and trims everything, so handle 0's next put
// would fall on a dropped offset; later handle 1, which last wrote 3–5, puts after handle
// 0 wrote more and a trim emptied the log again.
const OPENING: readonly [number, Op][] = [
  [0, { put: 1 }],
  [0, { put: 1 }],
  [1, { put: 1 }],
  [1, { batch: 3 }],
  [1, { trimBefore: Number.POSITIVE_INFINITY }],
  [0, { put: 1 }],
  [0, { put: 1 }],
  [0, { put: 1 }],
  [1, { maxLength: 0 }],
  [1, { put: 1 }],
  [0, { put: 1 }],
];

// Then a fixed pseudo-random run of the same moves (a small LCG: the same on every run).
function moves(count: number, handles: number): [number, Op][] {
  let seed = 20_261_207;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const out: [number, Op][] = [...OPENING];
  for (let i = 0; i < count; i++) {
    const kind = next(10);
    const op: Op =
      kind < 6
        ? { put: 1 }
        : kind < 8
          ? { batch: 2 + next(3) }
          : kind < 9
            ? { trimBefore: Number.POSITIVE_INFINITY }
            : { maxLength: next(3) };
    out.push([next(handles), op]);
  }
  return out;
}

/**
 * Runs the moves one at a time over `queues` (handles of ONE topic) and checks each
 * against a model: every put and batch gets exactly the next offset (never one a trim
 * dropped, none skipped), trims drop what the model says, and the kept entries are the
 * model's. `trimBefore: Infinity` trims up to the current end.
 */
async function interleave(queues: readonly Queue<number>[], flush: boolean): Promise<void> {
  let next = 0;
  let first = 0;
  for (const [at, op] of moves(60, queues.length)) {
    const q = queues[at] as Queue<number>;
    const label = `handle ${at} ${JSON.stringify(op)} at next ${next}`;
    if ("put" in op) {
      expect(await q.put(next), label).toBe(next);
      next++;
    } else if ("batch" in op) {
      const values = Array.from({ length: op.batch }, (_, i) => next + i);
      expect(await q.putBatch(values), label).toEqual({ first: next, count: op.batch });
      next += op.batch;
    } else {
      const before = "trimBefore" in op ? Math.min(op.trimBefore, next) : Math.max(0, next - op.maxLength);
      const options = "trimBefore" in op ? { before } : { maxLength: op.maxLength };
      expect(await q.trim(options), label).toBe(Math.max(0, before - first));
      first = Math.max(first, before);
    }
    if (flush) await q.flush();
  }
  for (const q of queues) {
    expect(await q.count()).toBe(next);
    expect((await q.stats()).firstOffset).toBe(first);
    const kept = Array.from({ length: next - first }, (_, i) => [first + i, first + i]);
    expect(pairs(await q.get({ offset: 0, limit: next + 10 }))).toEqual(kept);
  }
}

/**
 * Writers of one topic taking turns — handles of one backend, and clients of one store
 * (`capabilities.crossProcess`) — with trims in between: offsets stay dense and are never
 * reused, whatever a backend remembers about the end of the log between calls.
 *
 * @example
 * ```ts
 * describe("interleaved writers", () => registerQueueInterleaved(ctx));
 * ```
 */
export function registerQueueInterleaved(ctx: QueueContext): void {
  test("two handles of one topic taking turns with puts, batches and trims get dense offsets, never reused", async () => {
    const name = freshName("queue");
    await interleave([ctx.backend.queue<number>(name), ctx.backend.queue<number>(name)], false);
  });

  describeCapability(ctx.caps.crossProcess, "crossProcess", () => {
    test("two clients of one topic taking turns with puts, batches and trims get dense offsets, never reused", async () => {
      const name = freshName("queue");
      let second: Backend | undefined;
      try {
        second = await ctx.options.open();
        await interleave([ctx.backend.queue<number>(name), second.queue<number>(name)], true);
      } finally {
        await second?.close();
      }
    });
  });
}
