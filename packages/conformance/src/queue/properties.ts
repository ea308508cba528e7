import { bucketFor, type Queue, type TrimOptions } from "@core/protocols";
import fc from "fast-check";
import { expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { collect, pairs, type QueueContext } from "./context.js";
import { QueueModel } from "./model.js";

type Op =
  | { kind: "put"; value: unknown }
  | { kind: "putBatch"; values: unknown[] }
  | { kind: "get"; offset: number | undefined; limit: number | undefined }
  | { kind: "stream"; offset: number | undefined; limit: number | undefined }
  | { kind: "trim"; options: TrimOptions }
  | { kind: "commit"; group: string; offset: number }
  | { kind: "committed"; group: string }
  | { kind: "count" }
  | { kind: "stats" };

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ min: -1e9, max: 1e9, noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.bigInt(),
  fc.uint8Array({ maxLength: 8 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 }),
  fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 3 }).map((e) => new Map(e)),
  fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }).map((e) => new Set(e)),
);

const offsetArb = fc.option(fc.nat(40), { nil: undefined });
const limitArb = fc.option(fc.nat(30), { nil: undefined });
const groupArb = fc.constantFrom("a", "b", "c");
const trimArb: fc.Arbitrary<TrimOptions> = fc.oneof(
  fc.nat(40).map((before) => ({ before })),
  fc.nat(20).map((maxLength) => ({ maxLength })),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: valueArb.map((value) => ({ kind: "put" as const, value })) },
  {
    weight: 3,
    arbitrary: fc.array(valueArb, { maxLength: 6 }).map((values) => ({ kind: "putBatch" as const, values })),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("get" as const), offset: offsetArb, limit: limitArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("stream" as const), offset: offsetArb, limit: limitArb }) },
  { weight: 1, arbitrary: trimArb.map((options) => ({ kind: "trim" as const, options })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("commit" as const), group: groupArb, offset: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("committed" as const), group: groupArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: "count" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "stats" as const }) },
);

function getOptions(op: { offset: number | undefined; limit: number | undefined }) {
  const options: { offset?: number; limit?: number } = {};
  if (op.offset !== undefined) options.offset = op.offset;
  if (op.limit !== undefined) options.limit = op.limit;
  return options;
}

/** Applies one operation to the queue and the model and compares the answers. */
async function step(q: Queue, model: QueueModel, op: Op): Promise<void> {
  switch (op.kind) {
    case "put":
      return void expect(await q.put(op.value)).toBe(model.put(op.value));
    case "putBatch":
      return void expect(await q.putBatch(op.values)).toEqual(model.putBatch(op.values));
    case "get":
      return void expect(pairs(await q.get(getOptions(op)))).toEqual(model.get(op.offset, op.limit ?? 100));
    case "stream": {
      const entries = await collect(() => q.stream(getOptions(op)));
      return void expect(pairs(entries)).toEqual(model.get(op.offset, op.limit ?? Number.POSITIVE_INFINITY));
    }
    case "trim":
      return void expect(await q.trim(op.options)).toBe(model.trim(op.options));
    case "commit":
      await q.commit(op.group, op.offset);
      return model.commit(op.group, op.offset);
    case "committed":
      return void expect(await q.committed(op.group)).toBe(model.committed(op.group));
    case "count":
      return void expect(await q.count()).toBe(model.totalCount);
    case "stats":
      return void expect(await q.stats()).toMatchObject({
        totalCount: model.totalCount,
        firstOffset: model.firstOffset,
      });
  }
}

/**
 * Property runs: random operation sequences applied to a fresh topic and to
 * {@link QueueModel}, every answer compared (and, with buckets, one model per bucket).
 *
 * @example
 * ```ts
 * registerQueueProperties(ctx);
 * ```
 */
export function registerQueueProperties(ctx: QueueContext): void {
  const numRuns = ctx.options.numRuns ?? 25;
  const timeout = 60_000 * ctx.timeScale;

  test(
    "random put/putBatch/get/stream/trim/commit/committed/count/stats sequences match the model",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
          const q = ctx.queue();
          const model = new QueueModel();
          for (const op of ops) await step(q, model, op);
          expect(pairs(await q.get({ offset: 0, limit: 1000 }))).toEqual(model.get(0, 1000));
        }),
        { numRuns },
      );
    },
    timeout,
  );

  describeCapability(ctx.caps.buckets, "buckets", () => registerBucketProperty(ctx, numRuns, timeout));
}

function registerBucketProperty(ctx: QueueContext, numRuns: number, timeout: number): void {
  const keyArb = fc.constantFrom("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
  const bucketOpArb = fc.record({
    key: keyArb,
    op: opArb.filter((op) => op.kind !== "count" && op.kind !== "stats"),
  });

  test(
    "random sequences on a bucketed topic match one model per bucket",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(bucketOpArb, { maxLength: 30 }), async (steps) => {
          const q = ctx.queue({ buckets: 3 });
          const models = [new QueueModel(), new QueueModel(), new QueueModel()];
          for (const { key, op } of steps) {
            const b = bucketFor(key, 3);
            const model = models[b] as QueueModel;
            if (op.kind === "put") expect(await q.put(op.value, { key })).toBe(model.put(op.value));
            else if (op.kind === "putBatch")
              expect(await q.putBatch(op.values, { key })).toEqual(model.putBatch(op.values));
            else await step(q.bucket(b), model, op);
          }
          expect(await q.count()).toBe(models.reduce((sum, m) => sum + m.totalCount, 0));
        }),
        { numRuns },
      );
    },
    timeout,
  );
}
