import type { NormalizedCountQuery, NormalizedQuery } from "../../record-query-validation.js";
import type { NormalizedRecordInput, NormalizedSightingInput } from "../../record-validation.js";
import type * as R from "../../records.js";
import type { RecordCollection } from "./record-collection.js";
import type { RecordCollectionDriver } from "./record-driver.js";
import { upsertedRecord } from "./record-upsert.js";

/**
 * The record driver of one in-process {@link RecordCollection}: every hook is synchronous,
 * so each call is atomic and nothing is in flight for `close()` to wait for; the layer
 * copies the stored objects out (`sharesObjects`). A batch applies its records as they are
 * checked and undoes all of them on a conflict. Pages in id order (the default) seek the
 * collection's id index; other orderings reuse its sorted views until the next write.
 *
 * @example
 * ```ts
 * const collections = new Map<string, RecordCollection>();
 * const driver: RecordDriver = {
 *   backend: "acme",
 *   lifecycle,
 *   collection: (name) => collectionDriver("acme", collections.get(name) ?? new RecordCollection()),
 * };
 * ```
 */
export function collectionDriver(backend: string, collection: RecordCollection): RecordCollectionDriver {
  return new CollectionDriver(backend, collection);
}

/**
 * What a batch changed, newest last, so a conflict can undo all of it: flat triples
 * (RECORD, id, previous record) or (KEY, naturalKey, previous owner), no object per change.
 */
type UndoLog = unknown[];
const RECORD = 0;
const KEY = 1;

class CollectionDriver implements RecordCollectionDriver {
  readonly #c: RecordCollection;
  readonly #backend: string;
  readonly sharesObjects = true;

  constructor(backend: string, c: RecordCollection) {
    [this.#backend, this.#c] = [backend, c];
  }

  // Applies one record; `upsertedRecord` checks everything before the first change, so a
  // throw leaves the collection as it was, and `undo` (batches) can roll back earlier ones.
  #write(input: NormalizedRecordInput, now: Date, onConflict: R.OnConflict, expected?: number, undo?: UndoLog) {
    const c = this.#c;
    const existing = c.byId.get(input.id);
    const owner = c.byNaturalKey.get(input.naturalKey);
    const record = upsertedRecord(this.#backend, input, existing, owner, onConflict, expected, now);
    if (record === null) return "skipped";
    if (existing !== undefined && existing.naturalKey !== input.naturalKey) {
      undo?.push(KEY, existing.naturalKey, existing.id);
      c.byNaturalKey.delete(existing.naturalKey);
    }
    // Stryker disable next-line ConditionalExpression: re-setting the same owner; the undo entry restores that same owner
    if (owner !== input.id) {
      undo?.push(KEY, input.naturalKey, owner);
      c.byNaturalKey.set(input.naturalKey, input.id);
    }
    undo?.push(RECORD, input.id, existing);
    c.put(input.id, existing, record);
    return existing === undefined ? "inserted" : "updated";
  }

  #rollback(undo: UndoLog): void {
    const c = this.#c;
    // Stryker disable next-line ArithmeticOperator: the extra first steps read past the end (undefined) and change nothing
    for (let i = undo.length - 3; i >= 0; i -= 3) {
      const key = undo[i + 1] as string;
      const previous = undo[i + 2];
      if (undo[i] === RECORD) c.put(key, c.byId.get(key), previous as R.StoredRecord | undefined);
      else if (previous === undefined) c.byNaturalKey.delete(key);
      else c.byNaturalKey.set(key, previous as string);
    }
  }

  store(input: NormalizedRecordInput, expectedVersion: number | undefined): R.StoredRecord {
    // Stryker disable next-line StringLiteral: onConflict is only compared with "skip" and "error", so "" behaves as "update"
    this.#write(input, new Date(), "update", expectedVersion);
    return this.#c.byId.get(input.id)!;
  }

  storeBatch(inputs: NormalizedRecordInput[], onConflict: R.OnConflict): R.StoreBatchResult {
    const result: R.StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
    const now = new Date();
    // Stryker disable next-line ArrayDeclaration: rollback walks triples from the end, so a leading extra element is never read
    const undo: UndoLog = [];
    try {
      for (const input of inputs) result[this.#write(input, now, onConflict, undefined, undo)] += 1;
    } catch (err) {
      this.#rollback(undo);
      throw err;
    }
    return result;
  }

  get(id: string, layer: R.Layer | undefined): R.StoredRecord | null {
    const record = this.#c.byId.get(id);
    return record !== undefined && (layer === undefined || record.layer === layer) ? record : null;
  }

  getByNaturalKey(naturalKey: string): R.StoredRecord | null {
    const id = this.#c.byNaturalKey.get(naturalKey);
    return id === undefined ? null : this.#c.byId.get(id)!;
  }

  exists(id: string, layer: R.Layer | undefined): boolean {
    return this.get(id, layer) !== null;
  }

  existsByNaturalKey(naturalKey: string): boolean {
    return this.#c.byNaturalKey.has(naturalKey);
  }

  delete(id: string, layer: R.Layer | undefined): boolean {
    const record = this.get(id, layer);
    if (record === null) return false;
    this.#c.put(record.id, record, undefined);
    this.#c.byNaturalKey.delete(record.naturalKey);
    return true;
  }

  queryPage(query: NormalizedQuery): R.RecordPage {
    return this.#c.page(query);
  }

  count(query: NormalizedCountQuery): number {
    return this.#c.count(query);
  }

  recordSighting(s: NormalizedSightingInput): boolean {
    return this.#c.sight(s);
  }

  getSightings(naturalKey: string): R.Sighting[] {
    return this.#c.sightings.get(naturalKey) ?? [];
  }

  clear(): number {
    return this.#c.clear();
  }
}
