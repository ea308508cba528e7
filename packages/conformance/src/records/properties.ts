import type { Filter, Layer, OnConflict, RecordInput, RecordQuery, RecordStore, StoredRecord } from "@core/protocols";
import fc from "fast-check";
import { expect, it } from "vitest";
import { datasetArb, filterArb, ID_POOL, KEY_POOL, layerArb, orderByArb, queryArb, recordFrom } from "./arbitraries.js";
import { collect, type RecordsContext } from "./context.js";
import { type Expected, RecordModel } from "./model.js";
import { pageThrough } from "./paging.js";

type Op =
  | { kind: "store"; record: RecordInput; expectedVersion: number | undefined }
  | { kind: "storeBatch"; records: RecordInput[]; onConflict: OnConflict }
  | { kind: "delete"; id: string; layer: Layer | undefined }
  | { kind: "get"; id: string; layer: Layer | undefined }
  | { kind: "getByNaturalKey"; naturalKey: string }
  | { kind: "count"; layer: Layer | undefined; where: Filter | undefined }
  | { kind: "query"; query: RecordQuery }
  | { kind: "sighting"; naturalKey: string };

// Fewer ids and keys than the query properties use, so writes, deletes and lookups collide often.
const OP_IDS = ID_POOL.slice(0, 4);
const OP_KEYS = KEY_POOL.slice(0, 4);
const idArb = fc.constantFrom(...OP_IDS);
const keyArb = fc.constantFrom(...OP_KEYS);
const recordArb = recordFrom(OP_IDS, OP_KEYS);
const maybeLayer = fc.option(layerArb, { nil: undefined });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("store" as const),
      record: recordArb,
      expectedVersion: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("storeBatch" as const),
      records: fc.array(recordArb, { maxLength: 4 }),
      onConflict: fc.constantFrom<OnConflict>("skip", "update", "error"),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), id: idArb, layer: maybeLayer }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("get" as const), id: idArb, layer: maybeLayer }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("getByNaturalKey" as const), naturalKey: keyArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("count" as const),
      layer: maybeLayer,
      where: fc.option(filterArb, { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("query" as const), query: queryArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("sighting" as const), naturalKey: keyArb }) },
);

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

function checkWrite(model: RecordModel, input: RecordInput, expected: Expected, stored: StoredRecord | null): void {
  if (expected.kind === "conflict" || expected.kind === "skipped") return;
  expect(stored).toMatchObject({ ...model.shape(input), version: expected.version });
  if (expected.createdAt) expect(stored?.createdAt.getTime()).toBe(expected.createdAt.getTime());
  else expect(stored?.createdAt.getTime()).toBe(stored?.updatedAt.getTime());
}

async function load(store: RecordStore, model: RecordModel, dataset: readonly RecordInput[]): Promise<void> {
  for (const input of dataset) {
    const stored = await store.store(input);
    checkWrite(model, input, model.expectStore(input), stored);
    model.put(stored);
  }
}

async function applyOp(store: RecordStore, model: RecordModel, op: Op): Promise<void> {
  const label = JSON.stringify(op);
  switch (op.kind) {
    case "store": {
      const expected = model.expectStore(op.record, op.expectedVersion);
      const options = op.expectedVersion === undefined ? undefined : { expectedVersion: op.expectedVersion };
      if (expected.kind === "conflict") {
        expect(await codeOf(store.store(op.record, options)), label).toBe("CONFLICT");
        return;
      }
      const stored = await store.store(op.record, options);
      checkWrite(model, op.record, expected, stored);
      model.put(stored);
      return;
    }
    case "storeBatch": {
      const expected = model.expectBatch(op.records, op.onConflict);
      if (expected.kind === "conflict") {
        expect(await codeOf(store.storeBatch(op.records, { onConflict: op.onConflict })), label).toBe("CONFLICT");
        return;
      }
      expect(await store.storeBatch(op.records, { onConflict: op.onConflict }), label).toEqual(expected.result);
      for (const [id, { expected: write, input }] of expected.written) {
        const stored = await store.get(id);
        checkWrite(model, input, write, stored);
        model.put(stored!);
      }
      return;
    }
    case "delete":
      expect(await store.delete(op.id, op.layer), label).toBe(model.delete(op.id, op.layer));
      return;
    case "get":
      expect(await store.get(op.id, op.layer), label).toEqual(model.get(op.id, op.layer));
      expect(await store.exists(op.id, op.layer), label).toBe(model.get(op.id, op.layer) !== null);
      return;
    case "getByNaturalKey": {
      const expected = model.getByNaturalKey(op.naturalKey);
      expect(await store.getByNaturalKey(op.naturalKey), label).toEqual(expected);
      expect(await store.existsByNaturalKey(op.naturalKey), label).toBe(expected !== null);
      return;
    }
    case "count": {
      const query = { ...(op.layer && { layer: op.layer }), ...(op.where && { where: op.where }) };
      expect(await store.count(query), label).toBe(model.count(query));
      return;
    }
    case "query":
      expect(await store.queryPage(op.query), label).toEqual(model.queryPage(op.query));
      return;
    case "sighting":
      expect(await store.recordSighting({ naturalKey: op.naturalKey, source: "p" }), label).toBe(
        model.sight(op.naturalKey),
      );
      return;
  }
}

/**
 * Property-based runs against the reference model (PROTOCOLS.md §6): random data and
 * queries must return exactly the model's records in the model's order; random
 * operation sequences must give the model's answers.
 *
 * @example
 * ```ts
 * describe("properties", () => registerRecordProperties(ctx));
 * ```
 */
export function registerRecordProperties(ctx: RecordsContext): void {
  it("random queries return exactly the model's records in the model's order", async () => {
    await fc.assert(
      fc.asyncProperty(datasetArb, fc.array(queryArb, { minLength: 1, maxLength: 6 }), async (dataset, queries) => {
        const store = ctx.store();
        const model = new RecordModel();
        await load(store, model, dataset);
        for (const query of queries) {
          const label = JSON.stringify(query);
          expect(await store.queryPage(query), label).toEqual(model.queryPage(query));
          expect(await collect(() => store.query(query)), label).toEqual(model.queryPage(query).records);
          const { layer, where } = query;
          const countQuery = { ...(layer && { layer }), ...(where && { where }) };
          expect(await store.count(countQuery), label).toBe(model.count(countQuery));
        }
      }),
      { numRuns: ctx.numRuns },
    );
  });

  it("keyset pagination returns every matching record once, in the model's order", async () => {
    await fc.assert(
      fc.asyncProperty(
        datasetArb,
        orderByArb,
        fc.option(filterArb, { nil: undefined }),
        fc.integer({ min: 1, max: 4 }),
        async (dataset, orderBy, where, limit) => {
          const store = ctx.store();
          const model = new RecordModel();
          await load(store, model, dataset);
          const query: RecordQuery = { limit, ...(orderBy && { orderBy }), ...(where && { where }) };
          const expected = model.queryPage({ ...query, limit: 1000 }).records;
          const { records } = await pageThrough(store, query);
          expect(records, JSON.stringify(query)).toEqual(expected);
        },
      ),
      { numRuns: ctx.numRuns },
    );
  });

  it("random operation sequences give the model's answers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const store = ctx.store();
        const model = new RecordModel();
        for (const op of ops) await applyOp(store, model, op);
        expect(await store.queryPage({ limit: 1000 })).toEqual(model.queryPage({ limit: 1000 }));
      }),
      { numRuns: ctx.numRuns },
    );
  });
}
