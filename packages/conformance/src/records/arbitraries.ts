import type { FieldOperators, Filter, FilterValue, Layer, RecordInput, RecordQuery } from "@core/protocols";
import fc from "fast-check";

/** Small pools make collisions (same id, same natural key, equal values) common. */
export const ID_POOL = ["a", "B", "é", "\u{1F600}", "a1", "Z", "ab", "\uFFFD", "r'1", "e"] as const;
export const KEY_POOL = ["k1", "k2", "k3", "K1", "ké", "k\u{1F600}", "k'; --"] as const;

// Code-point traps: case, accents, U+FFFD against astral characters, prefixes of each other.
const STRING_POOL = [
  "",
  "a",
  "A",
  "b",
  "B",
  "é",
  "e",
  "E",
  "z",
  "Z",
  "\uFFFD",
  "\u{1F600}",
  "\u{1F600}a",
  "ab",
  "a b",
  "été",
  "%",
  "_",
];

/** A string from the pool or a short random one (never U+0000, which records reject). */
export const stringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STRING_POOL) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }).filter((s) => !s.includes("\u0000")) },
);

const numberArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -1.5, 1e21, -1e-7, 2 ** 53),
);

/** A scalar a filter can compare with. */
export const scalarArb: fc.Arbitrary<FilterValue> = fc.oneof(
  { weight: 3, arbitrary: numberArb },
  { weight: 3, arbitrary: stringArb },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Any JSON value a content field may hold, objects and arrays included. */
const jsonArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalarArb },
  { weight: 1, arbitrary: fc.array(scalarArb, { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("k", "x"), scalarArb, { maxKeys: 2 }) },
);

const layerArb: fc.Arbitrary<Layer> = fc.constantFrom("bronze", "silver", "gold");

/** Content with fields of every kind, each possibly missing. */
export const contentArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    n: fc.oneof(numberArb, fc.constant(null)),
    s: fc.oneof(stringArb, fc.constant(null)),
    b: fc.boolean(),
    x: jsonArb,
    nested: fc.record({ k: jsonArb }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

const metadataArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  { src: stringArb, rank: fc.integer({ min: 0, max: 3 }) },
  { requiredKeys: [] },
);

/**
 * A valid record input whose id and natural key come from the given pools.
 *
 * @example
 * ```ts
 * const arb = recordFrom(["a", "b"], ["k1", "k2"]);
 * ```
 */
export function recordFrom(ids: readonly string[], keys: readonly string[]): fc.Arbitrary<RecordInput> {
  return fc
    .record({
      id: fc.constantFrom(...ids),
      naturalKey: fc.constantFrom(...keys),
      layer: fc.option(layerArb, { nil: undefined }),
      content: contentArb,
      metadata: fc.option(metadataArb, { nil: undefined }),
    })
    .map((r) => {
      const input: RecordInput = { id: r.id, naturalKey: r.naturalKey, content: r.content };
      if (r.layer !== undefined) input.layer = r.layer;
      if (r.metadata !== undefined) input.metadata = r.metadata;
      return input;
    });
}

/** A valid record input whose id and natural key come from the pools. */
export const recordArb: fc.Arbitrary<RecordInput> = recordFrom(ID_POOL, KEY_POOL);

/**
 * Records with distinct ids and natural keys (natural key derived from the id).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(datasetArb, (records) => new Set(records.map((r) => r.id)).size === records.length));
 * ```
 */
export const datasetArb: fc.Arbitrary<RecordInput[]> = fc
  .uniqueArray(recordArb, { selector: (r) => r.id, maxLength: ID_POOL.length })
  .map((records) => records.map((r) => ({ ...r, naturalKey: `nk:${r.id}` })));

const FIELDS = [
  "id",
  "naturalKey",
  "layer",
  "content.n",
  "content.s",
  "content.b",
  "content.x",
  "content.x.k",
  "content.nested",
  "content.nested.k",
  "content.none",
  "metadata.src",
  "metadata.rank",
] as const;

const operandArb: fc.Arbitrary<FilterValue> = fc.oneof(
  { weight: 4, arbitrary: scalarArb },
  { weight: 1, arbitrary: fc.constantFrom<FilterValue>(...ID_POOL, ...KEY_POOL, "nk:a", "nk:", "bronze", "gold") },
);

const operatorsArb: fc.Arbitrary<FieldOperators> = fc.oneof(
  fc.record({ eq: operandArb }),
  fc.record({ ne: operandArb }),
  fc.record({ in: fc.array(operandArb, { maxLength: 3 }) }),
  fc.record({ gt: operandArb }),
  fc.record({ gte: operandArb }),
  fc.record({ lt: operandArb }),
  fc.record({ lte: operandArb }),
  fc.record({ exists: fc.boolean() }),
  fc.record({ prefix: fc.oneof(stringArb, fc.constantFrom("nk:", "k", "\u{1F600}")) }),
  fc.record({ gte: operandArb, lt: operandArb }),
);

/**
 * A filter of up to three fields, each a bare value or operators.
 *
 * @example
 * ```ts
 * const [filter] = fc.sample(filterArb, 1);
 * ```
 */
export const filterArb: fc.Arbitrary<Filter> = fc
  .array(fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(operandArb, operatorsArb)), { maxLength: 3 })
  .map((entries) => Object.fromEntries(entries) as Filter);

/** Any field, ascending or descending, or the default. */
export const orderByArb: fc.Arbitrary<RecordQuery["orderBy"]> = fc.option(
  fc
    .tuple(fc.constantFrom(...FIELDS, "createdAt", "updatedAt"), fc.boolean())
    .map(([field, desc]) => `${desc ? "-" : ""}${field}` as RecordQuery["orderBy"]),
  { nil: undefined },
);

/**
 * A query without a cursor: random layer, filter, order, limit and offset.
 *
 * @example
 * ```ts
 * const [query] = fc.sample(queryArb, 1);
 * ```
 */
export const queryArb: fc.Arbitrary<RecordQuery> = fc
  .record({
    layer: fc.option(layerArb, { nil: undefined }),
    where: fc.option(filterArb, { nil: undefined }),
    orderBy: orderByArb,
    limit: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
    offset: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  })
  .map((q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as RecordQuery);

export { layerArb };
