import {
  assertKey,
  assertName,
  BackendError,
  type Layer,
  type NormalizedRecordInput,
  normalizeCountQuery,
  normalizeLayer,
  normalizeQuery,
  normalizeRecordStoreOptions,
  type OnConflict,
  type RecordInput,
  type RecordPage,
  type RecordQuery,
  type RecordStore,
  type RecordStoreOptions,
  type Sighting,
  type SightingInput,
  type StoreBatchResult,
  type StoredRecord,
  validateBatchOptions,
  validateRecordBatch,
  validateRecordInput,
  validateSightingInput,
  validateStoreOptions,
} from "@core/protocols";
import { RecordCollection } from "./record-collection.js";
import { copyOut, copySighting } from "./record-copy.js";
import type { MemoryShared } from "./shared.js";

const BACKEND = "memory";

function collectionOf(shared: MemoryShared, name: string): RecordCollection {
  let collection = shared.records.get(name) as RecordCollection | undefined;
  if (collection === undefined) {
    collection = new RecordCollection();
    shared.records.set(name, collection);
  }
  return collection;
}

function conflict(message: string): BackendError {
  return new BackendError("CONFLICT", message, { backend: BACKEND });
}

type Outcome = "inserted" | "updated" | "skipped";

/**
 * What a batch changed, newest last, so a conflict can undo all of it: flat triples
 * (RECORD, id, previous record) or (KEY, naturalKey, previous owner), no object per change.
 */
type UndoLog = unknown[];
const RECORD = 0;
const KEY = 1;

/**
 * Applies one validated record (already a private copy). Every check runs before the
 * first change, so a throw leaves the collection as it was; `undo` (batches) records each
 * change so earlier records of the batch can be rolled back.
 */
function write(
  c: RecordCollection,
  input: NormalizedRecordInput,
  now: Date,
  onConflict: OnConflict,
  expectedVersion: number | undefined,
  undo: UndoLog | undefined,
): Outcome {
  const existing = c.byId.get(input.id);
  if (expectedVersion !== undefined && (existing?.version ?? 0) !== expectedVersion) {
    throw conflict(
      `record ${JSON.stringify(input.id)} is at version ${existing?.version ?? 0}, not ${expectedVersion}; read it again and retry`,
    );
  }
  const owner = c.byNaturalKey.get(input.naturalKey);
  if (owner !== undefined && owner !== input.id) {
    if (onConflict === "skip") return "skipped";
    throw conflict(`naturalKey ${JSON.stringify(input.naturalKey)} already belongs to record ${JSON.stringify(owner)}`);
  }
  if (existing !== undefined && onConflict === "skip") return "skipped";
  if (existing !== undefined && onConflict === "error") {
    throw conflict(`record ${JSON.stringify(input.id)} already exists (onConflict: "error")`);
  }
  // updatedAt never goes backwards, even if the clock does. Stored Dates are never handed
  // out or changed (callers get copies), so records of one call share one.
  const at = existing === undefined || now.getTime() >= existing.updatedAt.getTime() ? now : existing.updatedAt;
  const record: StoredRecord = {
    id: input.id,
    naturalKey: input.naturalKey,
    layer: input.layer,
    content: input.content,
    metadata: input.metadata,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    version: (existing?.version ?? 0) + 1,
  };
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

function rollback(c: RecordCollection, undo: UndoLog): void {
  // Stryker disable next-line ArithmeticOperator: the extra first steps read past the end (undefined) and change nothing
  for (let i = undo.length - 3; i >= 0; i -= 3) {
    const key = undo[i + 1] as string;
    const previous = undo[i + 2];
    if (undo[i] === RECORD) c.put(key, c.byId.get(key), previous as StoredRecord | undefined);
    else if (previous === undefined) c.byNaturalKey.delete(key);
    else c.byNaturalKey.set(key, previous as string);
  }
}

class MemoryRecordStore implements RecordStore {
  readonly name: string;
  readonly #shared: MemoryShared;
  readonly #c: RecordCollection;
  readonly #maxLimit: number;

  constructor(shared: MemoryShared, name: string, maxLimit: number) {
    this.name = name;
    this.#shared = shared;
    this.#c = collectionOf(shared, name);
    this.#maxLimit = maxLimit;
  }

  // Every method body is synchronous, which makes each call atomic here and leaves no
  // in-flight work for close() to wait for: checking the state up front is all
  // Lifecycle.run would add.
  #run<T>(fn: () => T): Promise<T> {
    try {
      this.#shared.lifecycle.assertOpen();
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #find(id: unknown, layer: unknown): StoredRecord | undefined {
    assertKey(BACKEND, id);
    const wanted: Layer | undefined = normalizeLayer(BACKEND, layer);
    const record = this.#c.byId.get(id);
    return record !== undefined && (wanted === undefined || record.layer === wanted) ? record : undefined;
  }

  store(record: RecordInput, options?: { expectedVersion?: number }): Promise<StoredRecord> {
    return this.#run(() => {
      const input = validateRecordInput(BACKEND, record);
      const { expectedVersion } = validateStoreOptions(BACKEND, options);
      // Stryker disable next-line StringLiteral: onConflict is only compared with "skip" and "error", so "" behaves as "update"
      write(this.#c, input, new Date(), "update", expectedVersion, undefined);
      return copyOut(this.#c.byId.get(input.id)!);
    });
  }

  storeBatch(records: readonly RecordInput[], options?: { onConflict?: OnConflict }): Promise<StoreBatchResult> {
    return this.#run(() => {
      const inputs = validateRecordBatch(BACKEND, records);
      const { onConflict } = validateBatchOptions(BACKEND, options);
      const result: StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
      const now = new Date();
      // Stryker disable next-line ArrayDeclaration: rollback walks triples from the end, so a leading extra element is never read
      const undo: UndoLog = [];
      try {
        for (const input of inputs) result[write(this.#c, input, now, onConflict, undefined, undo)] += 1;
      } catch (err) {
        rollback(this.#c, undo);
        throw err;
      }
      return result;
    });
  }

  get(id: string, layer?: Layer): Promise<StoredRecord | null> {
    return this.#run(() => {
      const record = this.#find(id, layer);
      return record === undefined ? null : copyOut(record);
    });
  }

  getByNaturalKey(naturalKey: string): Promise<StoredRecord | null> {
    return this.#run(() => {
      assertKey(BACKEND, naturalKey);
      const id = this.#c.byNaturalKey.get(naturalKey);
      return id === undefined ? null : copyOut(this.#c.byId.get(id)!);
    });
  }

  exists(id: string, layer?: Layer): Promise<boolean> {
    return this.#run(() => this.#find(id, layer) !== undefined);
  }

  existsByNaturalKey(naturalKey: string): Promise<boolean> {
    return this.#run(() => {
      assertKey(BACKEND, naturalKey);
      return this.#c.byNaturalKey.has(naturalKey);
    });
  }

  delete(id: string, layer?: Layer): Promise<boolean> {
    return this.#run(() => {
      const record = this.#find(id, layer);
      if (record === undefined) return false;
      this.#c.put(record.id, record, undefined);
      this.#c.byNaturalKey.delete(record.naturalKey);
      return true;
    });
  }

  async *query(query?: RecordQuery): AsyncIterable<StoredRecord> {
    const page = await this.queryPage(query);
    yield* page.records;
  }

  queryPage(query?: RecordQuery): Promise<RecordPage> {
    return this.#run(() => {
      const page = this.#c.page(normalizeQuery(BACKEND, query, this.#maxLimit));
      return { records: page.records.map(copyOut), next: page.next };
    });
  }

  count(query?: Pick<RecordQuery, "layer" | "where">): Promise<number> {
    return this.#run(() => this.#c.count(normalizeCountQuery(BACKEND, query)));
  }

  recordSighting(sighting: SightingInput): Promise<boolean> {
    return this.#run(() => {
      const s = validateSightingInput(BACKEND, sighting);
      const list = this.#c.sightings.get(s.naturalKey);
      if (list === undefined) {
        this.#c.sightings.set(s.naturalKey, [s]);
        return true;
      }
      // Oldest first by seenAt; equal seenAt keeps arrival order.
      let i = list.length;
      while (i > 0 && list[i - 1]!.seenAt.getTime() > s.seenAt.getTime()) i -= 1;
      list.splice(i, 0, s);
      return false;
    });
  }

  getSightings(naturalKey: string): Promise<Sighting[]> {
    return this.#run(() => {
      assertKey(BACKEND, naturalKey);
      return (this.#c.sightings.get(naturalKey) ?? []).map(copySighting);
    });
  }

  clear(): Promise<number> {
    return this.#run(() => this.#c.clear());
  }
}

/**
 * A record store in this process's memory. Handles with the same name on one backend
 * share data. Pages in id order (the default) seek an id index; other orderings sort once
 * and reuse the sorted view until the next write; filters scan.
 *
 * @example
 * ```ts
 * const feed = createMemoryRecordStore(shared, "feed", { maxLimit: 1000 });
 * await feed.store({ id: "1", naturalKey: "url:1", content: { title: "Hi" } });
 * ```
 */
export function createMemoryRecordStore(shared: MemoryShared, name: string, options?: RecordStoreOptions): RecordStore {
  assertName(BACKEND, name, "collection name");
  const { maxLimit } = normalizeRecordStoreOptions(BACKEND, options);
  return new MemoryRecordStore(shared, name, maxLimit);
}
