import type { Backend, RecordField, RecordQuery } from "@core/protocols";
import { encodeCursor, parseOrderBy } from "@core/protocols/kit";
import { fractions, LAYERS, scalingRecord, scalingStored } from "./scaling-data.js";
import { VALUE } from "./workload.js";

/** The protocol a scaling operation runs on (each gets its own store, grown through the sizes). */
export type ScalingProtocol = "cache" | "queue" | "records";

/** One measured call of the scaling section, on a store holding `size` items. */
export interface ScalingOperation {
  name: string;
  protocol: ScalingProtocol;
  /** A keyset page in a built-in ordering (the targets judge these). */
  ordering?: { field: OrderField; descending: boolean; layer?: (typeof LAYERS)[number] };
  /** Builds call number `i` for a store of `size` items. */
  prepare(backend: Backend, size: number): (i: number) => Promise<unknown>;
}

/** The built-in orderings of a records page (issue 15: every one must stay flat). */
export const ORDER_FIELDS = ["id", "naturalKey", "createdAt", "updatedAt"] as const satisfies readonly RecordField[];
type OrderField = (typeof ORDER_FIELDS)[number];

const COLLECTION = "scale";
const CURSORS = 64;
const PAGE = 100;
const RARE = { "content.tag": "rare" } as const;

// Keys and offsets spread over the whole data set (7919 is prime, so co-prime with the sizes).
const spread = (i: number, room: number) => (i * 7919) % Math.max(1, room);

// Deep cursors: records whose value sits in the middle of the ordering (30–70%), so the
// page after each is full and far from either end, in both directions.
function deepCursors(ordering: NonNullable<ScalingOperation["ordering"]>, size: number): string[] {
  const parsed = parseOrderBy(`${ordering.descending ? "-" : ""}${ordering.field}`);
  const layer = ordering.layer === undefined ? -1 : LAYERS.indexOf(ordering.layer);
  const out: string[] = [];
  for (let j = 0; j < size && out.length < CURSORS; j++) {
    const i = (j * 7919 + 1) % size;
    if (layer >= 0 && i % 3 !== layer) continue;
    const at = ordering.field === "id" ? i / size : fractions(i)[ordering.field];
    if (at < 0.3 || at > 0.7) continue;
    out.push(encodeCursor(parsed, scalingStored(i)));
  }
  return out;
}

function pageOperation(field: OrderField, descending: boolean, layer?: "gold"): ScalingOperation {
  const orderBy = `${descending ? "-" : ""}${field}` as RecordQuery["orderBy"];
  return {
    name: `records page ${orderBy} (${layer ? `layer ${layer}` : "all layers"})`,
    protocol: "records",
    ordering: { field, descending, layer },
    prepare(backend, size) {
      const records = backend.records(COLLECTION);
      const cursors = deepCursors({ field, descending, layer }, size);
      return (i) => records.queryPage({ orderBy, limit: PAGE, after: cursors[i % cursors.length], layer });
    },
  };
}

/**
 * Every operation of the scaling section, in report order: cache get, queue get at an
 * offset, a deep keyset page (limit 100) in each built-in ordering (both directions, within
 * the gold layer and across layers: 16), the 1% filtered page and count, and count by layer.
 *
 * @example
 * ```ts
 * for (const op of SCALING_OPERATIONS) console.log(op.protocol, op.name);
 * ```
 */
export const SCALING_OPERATIONS: readonly ScalingOperation[] = [
  {
    name: "cache get (hit)",
    protocol: "cache",
    prepare(backend, size) {
      const cache = backend.cache(COLLECTION);
      return (i) => cache.get(`key:${spread(i, size)}`);
    },
  },
  {
    name: "queue get(offset, limit 10)",
    protocol: "queue",
    prepare(backend, size) {
      const queue = backend.queue(COLLECTION);
      return (i) => queue.get({ offset: spread(i, size - 10), limit: 10 });
    },
  },
  ...ORDER_FIELDS.flatMap((field) =>
    [false, true].flatMap((descending) => [pageOperation(field, descending), pageOperation(field, descending, "gold")]),
  ),
  {
    name: 'records filtered page { "content.tag": "rare" } (1%)',
    protocol: "records",
    prepare(backend) {
      const records = backend.records(COLLECTION);
      return () => records.queryPage({ where: RARE, limit: PAGE });
    },
  },
  {
    name: 'records filtered count { "content.tag": "rare" } (1%)',
    protocol: "records",
    prepare(backend) {
      const records = backend.records(COLLECTION);
      return () => records.count({ where: RARE });
    },
  },
  {
    name: 'records count { layer: "gold" }',
    protocol: "records",
    prepare(backend) {
      const records = backend.records(COLLECTION);
      return () => records.count({ layer: "gold" });
    },
  },
];

/**
 * Makes what a batch wrote visible and durable (the file queue buffers appends).
 *
 * @example
 * ```ts
 * await settleScaling(backend, "queue");
 * ```
 */
export async function settleScaling(backend: Backend, protocol: ScalingProtocol): Promise<void> {
  if (protocol === "queue") await backend.queue(COLLECTION).flush();
}

/**
 * Writes items `from`…`from + n - 1` of `protocol`'s scaling data in one batch call
 * (setMany, putBatch, or storeBatch with the records' own timestamps).
 *
 * @example
 * ```ts
 * await writeScalingBatch(backend, "records", 0, 1000);
 * ```
 */
export async function writeScalingBatch(
  backend: Backend,
  protocol: ScalingProtocol,
  from: number,
  n: number,
): Promise<void> {
  const ids = Array.from({ length: n }, (_, j) => from + j);
  if (protocol === "cache")
    await backend.cache(COLLECTION).setMany(ids.map((i) => ({ key: `key:${i}`, value: VALUE })));
  else if (protocol === "queue") await backend.queue(COLLECTION).putBatch(ids.map(() => VALUE));
  else await backend.records(COLLECTION).storeBatch(ids.map(scalingRecord), { preserveTimestamps: true });
}
