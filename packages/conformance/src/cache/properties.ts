import type { Cache, ErrorCode } from "@core/protocols";
import fc from "fast-check";
import { expect, test } from "vitest";
import { type CacheContext, listKeys } from "./context.js";
import { CacheModel, type CacheOp, type CacheModel as Model, type Outcome } from "./model.js";

// Few keys, so operations on the same key follow each other often; awkward ones included.
const KEYS = ["a", "user:1", "user:2", "*", "ü/\n😀"];
const MATCHES = ["*", "user:*", "?", "a*", "*:*", "ü/??", "ü*", "nothing"];

const key = fc.constantFrom(...KEYS);
const value: fc.Arbitrary<unknown> = fc.oneof(
  // Falsy values and near-integers are where backends go wrong: weigh them up.
  { weight: 4, arbitrary: fc.constantFrom(0, "", false, null) },
  { weight: 2, arbitrary: fc.constantFrom(1.5, "5", -0.25, 5n, 0n) },
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), {
      maxKeys: 3,
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 }).map((bytes) => new Uint8Array(bytes)) },
);

const operation: fc.Arbitrary<CacheOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("get" as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("getMany" as const), keys: fc.array(key, { maxLength: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("set" as const), key, value }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("setMany" as const),
      entries: fc.array(fc.record({ key, value }), { maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("add" as const), key, value }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("increment" as const), key, by: fc.integer({ min: -3, max: 3 }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("deleteMany" as const), keys: fc.array(key, { maxLength: 4 }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("has" as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("ttl" as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("keys" as const), match: fc.constantFrom(...MATCHES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("clear" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("entries" as const) }) },
);

async function run(cache: Cache<unknown>, op: CacheOp): Promise<Outcome> {
  try {
    switch (op.op) {
      case "get":
        return { ok: true, value: await cache.get(op.key) };
      case "getMany":
        return { ok: true, value: await cache.getMany(op.keys) };
      case "set":
        return { ok: true, value: await cache.set(op.key, op.value) };
      case "setMany":
        return { ok: true, value: await cache.setMany(op.entries) };
      case "add":
        return { ok: true, value: await cache.add(op.key, op.value) };
      case "increment":
        return { ok: true, value: await cache.increment(op.key, op.by) };
      case "delete":
        return { ok: true, value: await cache.delete(op.key) };
      case "deleteMany":
        return { ok: true, value: await cache.deleteMany(op.keys) };
      case "has":
        return { ok: true, value: await cache.has(op.key) };
      case "ttl":
        return { ok: true, value: await cache.ttl(op.key) };
      case "keys":
        return { ok: true, value: await listKeys(cache, op.match) };
      case "clear":
        return { ok: true, value: await cache.clear() };
      case "entries":
        return { ok: true, value: (await cache.stats()).entries };
    }
  } catch (err) {
    // Only BackendErrors are answers; anything else is a bug to show as it is.
    if (!(err instanceof Error) || err.name !== "BackendError") throw err;
    return { ok: false, code: (err as Error & { code: ErrorCode }).code };
  }
}

/**
 * Property-based runs: random operation sequences applied to the backend and to
 * {@link CacheModel}, every answer compared.
 *
 * @example
 * ```ts
 * describe("properties", () => registerCacheProperties(ctx));
 * ```
 */
export function registerCacheProperties(ctx: CacheContext): void {
  test("random operation sequences answer exactly like the reference model", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 60, size: "max" }), async (ops) => {
        const cache = ctx.cache();
        const model: Model = new CacheModel();
        try {
          for (const [step, op] of ops.entries()) {
            const expected = model.apply(op);
            const actual = await run(cache, op);
            expect(actual, `step ${step}: ${describeOp(op)}`).toEqual(expected);
          }
          // The final state, key by key, through every read.
          const final: CacheOp[] = [{ op: "keys" }, { op: "getMany", keys: KEYS }, { op: "entries" }];
          for (const k of KEYS) final.push({ op: "has", key: k }, { op: "ttl", key: k }, { op: "get", key: k });
          for (const op of final) expect(await run(cache, op), `final ${describeOp(op)}`).toEqual(model.apply(op));
        } finally {
          await cache.clear();
        }
      }),
      { numRuns: ctx.numRuns },
    );
  });

  test("the model's glob agrees with the store on random patterns", async () => {
    const cache = ctx.cache();
    await cache.setMany(KEYS.map((k) => ({ key: k, value: 1 })));
    const char = fc.constantFrom("*", "?", "a", "u", ":", "1", "/", "ü", "😀", "\n", ".");
    await fc.assert(
      fc.asyncProperty(
        fc.array(char, { maxLength: 6 }).map((chars) => chars.join("")),
        async (pattern) => {
          const expected = KEYS.filter((k) => globMatchesModel(pattern, k)).sort();
          expect(await listKeys(cache, pattern), `pattern ${JSON.stringify(pattern)}`).toEqual(expected);
        },
      ),
      { numRuns: ctx.numRuns * 4 },
    );
  });
}

function globMatchesModel(pattern: string, key: string): boolean {
  const model = new CacheModel();
  model.apply({ op: "set", key, value: 1 });
  const outcome = model.apply({ op: "keys", match: pattern });
  return outcome.ok && (outcome.value as string[]).includes(key);
}

function describeOp(op: CacheOp): string {
  return JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
}
