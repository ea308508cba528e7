import {
  assertKey,
  assertName,
  BackendError,
  countMatching,
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
  selectPage,
  validateBatchOptions,
  validateRecordBatch,
  validateRecordInput,
  validateSightingInput,
  validateStoreOptions,
} from "@core/protocols";
import type { MemoryShared } from "./shared.js";

const BACKEND = "memory";

/** One collection's data, shared by every handle with the same name. */
interface Collection {
  readonly byId: Map<string, StoredRecord>;
  /** naturalKey → id of the record holding it. */
  readonly byNaturalKey: Map<string, string>;
  /** naturalKey → sightings, oldest first. */
  readonly sightings: Map<string, Sighting[]>;
}

function collectionOf(shared: MemoryShared, name: string): Collection {
  let collection = shared.records.get(name) as Collection | undefined;
  if (collection === undefined) {
    collection = { byId: new Map(), byNaturalKey: new Map(), sightings: new Map() };
    shared.records.set(name, collection);
  }
  return collection;
}

// Stored records are never handed out: callers get copies, so mutating one changes nothing.
function copyOut(record: StoredRecord): StoredRecord {
  return {
    ...record,
    content: structuredClone(record.content),
    metadata: structuredClone(record.metadata),
    createdAt: new Date(record.createdAt.getTime()),
    updatedAt: new Date(record.updatedAt.getTime()),
  };
}

function conflict(message: string): BackendError {
  return new BackendError("CONFLICT", message, { backend: BACKEND });
}

type Outcome = "inserted" | "updated" | "skipped";

/**
 * The writes of one call, applied at once and undone together if any record conflicts,
 * so `storeBatch` is all-or-nothing. Validated input is already a private copy.
 */
class Writer {
  readonly #c: Collection;
  readonly #undo: (() => void)[] = [];
  readonly #now = Date.now();

  constructor(collection: Collection) {
    this.#c = collection;
  }

  write(input: NormalizedRecordInput, onConflict: OnConflict, expectedVersion?: number): Outcome {
    const existing = this.#c.byId.get(input.id);
    if (expectedVersion !== undefined && (existing?.version ?? 0) !== expectedVersion) {
      throw conflict(
        `record ${JSON.stringify(input.id)} is at version ${existing?.version ?? 0}, not ${expectedVersion}; read it again and retry`,
      );
    }
    const owner = this.#c.byNaturalKey.get(input.naturalKey);
    if (owner !== undefined && owner !== input.id) {
      if (onConflict === "skip") return "skipped";
      throw conflict(
        `naturalKey ${JSON.stringify(input.naturalKey)} already belongs to record ${JSON.stringify(owner)}`,
      );
    }
    if (existing !== undefined && onConflict === "skip") return "skipped";
    if (existing !== undefined && onConflict === "error") {
      throw conflict(`record ${JSON.stringify(input.id)} already exists (onConflict: "error")`);
    }
    // updatedAt never goes backwards, even if the clock does.
    const now = existing === undefined ? this.#now : Math.max(this.#now, existing.updatedAt.getTime());
    const record: StoredRecord = {
      ...input,
      createdAt: existing?.createdAt ?? new Date(now),
      updatedAt: new Date(now),
      version: (existing?.version ?? 0) + 1,
    };
    if (existing !== undefined && existing.naturalKey !== input.naturalKey) {
      this.#setKey(existing.naturalKey, undefined);
    }
    this.#setKey(input.naturalKey, input.id);
    this.#setRecord(input.id, record);
    return existing === undefined ? "inserted" : "updated";
  }

  rollback(): void {
    for (const undo of this.#undo.splice(0).reverse()) undo();
  }

  #setRecord(id: string, record: StoredRecord): void {
    const previous = this.#c.byId.get(id);
    this.#undo.push(() => (previous === undefined ? this.#c.byId.delete(id) : this.#c.byId.set(id, previous)));
    this.#c.byId.set(id, record);
  }

  #setKey(naturalKey: string, id: string | undefined): void {
    const previous = this.#c.byNaturalKey.get(naturalKey);
    this.#undo.push(() =>
      previous === undefined ? this.#c.byNaturalKey.delete(naturalKey) : this.#c.byNaturalKey.set(naturalKey, previous),
    );
    if (id === undefined) this.#c.byNaturalKey.delete(naturalKey);
    else this.#c.byNaturalKey.set(naturalKey, id);
  }
}

class MemoryRecordStore implements RecordStore {
  readonly name: string;
  readonly #shared: MemoryShared;
  readonly #c: Collection;
  readonly #maxLimit: number;

  constructor(shared: MemoryShared, name: string, maxLimit: number) {
    this.name = name;
    this.#shared = shared;
    this.#c = collectionOf(shared, name);
    this.#maxLimit = maxLimit;
  }

  // Every method body is synchronous inside `run`, which makes each call atomic here.
  #run<T>(fn: () => T): Promise<T> {
    return this.#shared.lifecycle.run(async () => fn());
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
      new Writer(this.#c).write(input, "update", expectedVersion);
      return copyOut(this.#c.byId.get(input.id)!);
    });
  }

  storeBatch(records: readonly RecordInput[], options?: { onConflict?: OnConflict }): Promise<StoreBatchResult> {
    return this.#run(() => {
      const inputs = validateRecordBatch(BACKEND, records);
      const { onConflict } = validateBatchOptions(BACKEND, options);
      const result: StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
      const writer = new Writer(this.#c);
      try {
        for (const input of inputs) result[writer.write(input, onConflict)] += 1;
      } catch (err) {
        writer.rollback();
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
      this.#c.byId.delete(record.id);
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
      const page = selectPage(this.#c.byId.values(), normalizeQuery(BACKEND, query, this.#maxLimit));
      return { records: page.records.map(copyOut), next: page.next };
    });
  }

  count(query?: Pick<RecordQuery, "layer" | "where">): Promise<number> {
    return this.#run(() => countMatching(this.#c.byId.values(), normalizeCountQuery(BACKEND, query)));
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
      return (this.#c.sightings.get(naturalKey) ?? []).map((s) => ({
        ...s,
        seenAt: new Date(s.seenAt.getTime()),
        metadata: structuredClone(s.metadata),
      }));
    });
  }

  clear(): Promise<number> {
    return this.#run(() => {
      const removed = this.#c.byId.size;
      this.#c.byId.clear();
      this.#c.byNaturalKey.clear();
      this.#c.sightings.clear();
      return removed;
    });
  }
}

/**
 * A record store in this process's memory. Handles with the same name on one backend
 * share data; queries scan the collection (fine for tests and small data sets).
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
