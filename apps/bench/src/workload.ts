import type { RecordInput, StoredRecord } from "@core/protocols";
import type { RawRecord } from "./raw/types.js";

/** The value every cache and queue scenario stores: about 100 bytes once encoded. */
export const VALUE = Object.freeze({
  id: 42,
  name: "Ada Lovelace",
  tags: ["math", "engines"],
  active: true,
  score: 3.14,
  note: "a small benchmark value",
});

/** Cache key number `i` of a key space of `keys`. */
export const cacheKey = (i: number, keys: number): string => `key:${i % keys}`;

/** Record id number `i`: zero-padded so text order is numeric order (keyset pages). */
export const recordId = (i: number): string => `r${String(i).padStart(9, "0")}`;

/**
 * Record number `i` as our store takes it.
 *
 * @example
 * ```ts
 * await store.store(recordInput(1));
 * ```
 */
export function recordInput(i: number): RecordInput {
  return {
    id: recordId(i),
    naturalKey: `https://example.com/item/${i}`,
    content: { title: `Item ${i}`, score: i % 100, tags: ["bench"] },
    metadata: { source: "bench" },
  };
}

/**
 * The same record as a raw driver stores it (JSON text, epoch milliseconds): the
 * serialisation ours does too, so it is part of the raw side's work.
 *
 * @example
 * ```ts
 * raw.recordStore(rawRecordInput(1));
 * ```
 */
export function rawRecordInput(i: number): RawRecord {
  const input = recordInput(i);
  const now = Date.now();
  return {
    id: input.id,
    naturalKey: input.naturalKey,
    layer: "bronze",
    content: JSON.stringify(input.content),
    metadata: JSON.stringify(input.metadata),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/**
 * A raw row turned into what our store returns (parsed JSON, Dates), so both sides hand
 * the caller the same objects.
 *
 * @example
 * ```ts
 * const record = toStored(raw.recordGet(id)!);
 * ```
 */
export function toStored(row: RawRecord): StoredRecord {
  return {
    id: row.id,
    naturalKey: row.naturalKey,
    layer: row.layer as StoredRecord["layer"],
    content: JSON.parse(row.content) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    version: row.version,
  };
}
