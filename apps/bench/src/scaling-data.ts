import type { Layer, RecordInput, StoredRecord } from "@core/protocols";
import { recordId } from "./workload.js";

/** The three layers, filled in turn (record `i` is in `LAYERS[i % 3]`). */
export const LAYERS = ["bronze", "silver", "gold"] as const satisfies readonly Layer[];

/** Every 100th record carries `content.tag: "rare"` (1%); the rest "common". */
export const RARE_EVERY = 100;

// One year of seconds: with a million records about 3% share their createdAt with another
// (birthday ties), so tie-breaking by id is exercised at every size.
const YEAR_S = 365 * 24 * 3600;
const MONTH_S = 30 * 24 * 3600;
const EPOCH_MS = Date.UTC(2025, 0, 1);

// A 32-bit integer hash (murmur3 finaliser): uniform, deterministic, cheap.
function mix(i: number, seed: number): number {
  let h = (i ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Where record `i` falls in [0, 1) of each ordering's value range (0.5 = the middle). */
export function fractions(i: number): { createdAt: number; naturalKey: number; updatedAt: number } {
  const created = mix(i, 0x9e3779b9) / 2 ** 32;
  const lag = mix(i, 0x7f4a7c15) / 2 ** 32;
  return {
    createdAt: created,
    naturalKey: mix(i, 0x165667b1) / 2 ** 32,
    // updatedAt = createdAt + up to a month, so its spread is createdAt's, shifted a little.
    updatedAt: (created * YEAR_S + lag * MONTH_S) / (YEAR_S + MONTH_S),
  };
}

/**
 * Record number `i` of the scaling data: three layers in turn, 1% tagged "rare", a
 * naturalKey in hash order (not id order), and its own history (`createdAt` spread over a
 * year at one-second resolution, with ties; `updatedAt` up to a month later), written with
 * `preserveTimestamps: true`.
 *
 * @example
 * ```ts
 * await records.storeBatch([scalingRecord(0), scalingRecord(1)], { preserveTimestamps: true });
 * ```
 */
export function scalingRecord(i: number): RecordInput & { createdAt: Date; updatedAt: Date } {
  const createdS = Math.floor((mix(i, 0x9e3779b9) / 2 ** 32) * YEAR_S);
  const lagS = Math.floor((mix(i, 0x7f4a7c15) / 2 ** 32) * MONTH_S);
  return {
    id: recordId(i),
    naturalKey: `nk-${mix(i, 0x165667b1).toString(16).padStart(8, "0")}-${i}`,
    layer: LAYERS[i % 3],
    content: { tag: i % RARE_EVERY === 0 ? "rare" : "common", i, title: `record number ${i}` },
    metadata: { source: "bench" },
    createdAt: new Date(EPOCH_MS + createdS * 1000),
    updatedAt: new Date(EPOCH_MS + (createdS + lagS) * 1000),
  };
}

/**
 * Record `i` as the store returns it, enough to build a keyset cursor at its position.
 *
 * @example
 * ```ts
 * encodeCursor(parseOrderBy("-createdAt"), scalingStored(42));
 * ```
 */
export function scalingStored(i: number): StoredRecord {
  const input = scalingRecord(i);
  return { ...input, layer: input.layer!, metadata: input.metadata!, version: 1 };
}
