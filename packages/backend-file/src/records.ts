import { join } from "node:path";
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
import { BACKEND } from "./errors.js";
import { Journal } from "./journal.js";
import { fileName } from "./names.js";
import { RecordData, type RecordOp } from "./records-data.js";
import { selectPageById } from "./records-index.js";
import { type FileShared, storeState } from "./shared.js";

interface Collection {
  data: RecordData;
  journal: Journal<RecordOp>;
}

// Stored content and metadata are validated JSON (plain objects, arrays, primitives, no
// `__proto__`-like keys): a plain recursive copy equals structuredClone on them at a
// fraction of its cost (a page copies two objects per record).
function copyJson(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyJson((value as Record<string, unknown>)[key]);
  return out;
}

// Records are built field by field, never by spreading: V8 copies a spread object and then
// adds the fields after it at many times the cost of a literal (measured: ~50×).
function copyOut(record: StoredRecord): StoredRecord {
  return {
    id: record.id,
    naturalKey: record.naturalKey,
    layer: record.layer,
    content: copyJson(record.content) as Record<string, unknown>,
    metadata: copyJson(record.metadata) as Record<string, unknown>,
    createdAt: new Date(record.createdAt.getTime()),
    updatedAt: new Date(record.updatedAt.getTime()),
    version: record.version,
  };
}

function conflict(message: string): BackendError {
  return new BackendError("CONFLICT", message, { backend: BACKEND });
}

type Outcome = "inserted" | "updated" | "skipped";

/** The writes of one call: applied as they are checked, undone together on a conflict. */
class Writer {
  readonly ops: RecordOp[] = [];
  readonly #data: RecordData;
  readonly #undo: (() => void)[] = [];
  readonly #now = Date.now();

  constructor(data: RecordData) {
    this.#data = data;
  }

  write(input: NormalizedRecordInput, onConflict: OnConflict, expectedVersion?: number): Outcome {
    const existing = this.#data.byId.get(input.id);
    if (expectedVersion !== undefined && (existing?.version ?? 0) !== expectedVersion) {
      throw conflict(
        `record ${JSON.stringify(input.id)} is at version ${existing?.version ?? 0}, not ${expectedVersion}; read it again and retry`,
      );
    }
    const owner = this.#data.byNaturalKey.get(input.naturalKey);
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
    const now = existing === undefined ? this.#now : Math.max(this.#now, existing.updatedAt.getTime());
    const record: StoredRecord = {
      id: input.id,
      naturalKey: input.naturalKey,
      layer: input.layer,
      content: input.content,
      metadata: input.metadata,
      createdAt: existing?.createdAt ?? new Date(now),
      updatedAt: new Date(now),
      version: (existing?.version ?? 0) + 1,
    };
    this.#undo.push(this.#data.put(record));
    this.ops.push({ r: record });
    return existing === undefined ? "inserted" : "updated";
  }

  rollback(): void {
    for (const undo of this.#undo.splice(0).reverse()) undo();
  }
}

class FileRecordStore implements RecordStore {
  readonly name: string;
  readonly #shared: FileShared;
  readonly #c: Collection;
  readonly #maxLimit: number;

  constructor(shared: FileShared, name: string, c: Collection, maxLimit: number) {
    this.name = name;
    this.#shared = shared;
    this.#c = c;
    this.#maxLimit = maxLimit;
  }

  #read<T>(fn: (data: RecordData) => T): Promise<T> {
    return this.#shared.lifecycle.run(() => {
      const { journal, data } = this.#c;
      // Up to date (the common case): answer without a catch-up hop.
      if (journal.fresh()) return Promise.resolve(fn(data));
      return journal.sync().then(() => fn(data));
    });
  }

  #write<T>(fn: (data: RecordData) => { result: T; ops: RecordOp[]; applied?: boolean }): Promise<T> {
    return this.#shared.lifecycle.run(() => this.#c.journal.mutate(() => fn(this.#c.data)));
  }

  #find(data: RecordData, id: unknown, layer: unknown): StoredRecord | undefined {
    assertKey(BACKEND, id);
    const wanted: Layer | undefined = normalizeLayer(BACKEND, layer);
    const record = data.byId.get(id);
    return record !== undefined && (wanted === undefined || record.layer === wanted) ? record : undefined;
  }

  store(record: RecordInput, options?: { expectedVersion?: number }): Promise<StoredRecord> {
    try {
      const input = validateRecordInput(BACKEND, record);
      const { expectedVersion } = validateStoreOptions(BACKEND, options);
      return this.#write((data) => {
        const writer = new Writer(data);
        writer.write(input, "update", expectedVersion);
        return { result: copyOut(data.byId.get(input.id) as StoredRecord), ops: writer.ops, applied: true };
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  storeBatch(records: readonly RecordInput[], options?: { onConflict?: OnConflict }): Promise<StoreBatchResult> {
    try {
      const inputs = validateRecordBatch(BACKEND, records);
      const { onConflict } = validateBatchOptions(BACKEND, options);
      return this.#write((data) => {
        const result: StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
        const writer = new Writer(data);
        try {
          for (const input of inputs) result[writer.write(input, onConflict)] += 1;
        } catch (err) {
          writer.rollback();
          throw err;
        }
        return { result, ops: writer.ops, applied: true };
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  get(id: string, layer?: Layer): Promise<StoredRecord | null> {
    return this.#read((data) => {
      const record = this.#find(data, id, layer);
      return record === undefined ? null : copyOut(record);
    });
  }

  getByNaturalKey(naturalKey: string): Promise<StoredRecord | null> {
    return this.#read((data) => {
      assertKey(BACKEND, naturalKey);
      const id = data.byNaturalKey.get(naturalKey);
      return id === undefined ? null : copyOut(data.byId.get(id) as StoredRecord);
    });
  }

  exists(id: string, layer?: Layer): Promise<boolean> {
    return this.#read((data) => this.#find(data, id, layer) !== undefined);
  }

  existsByNaturalKey(naturalKey: string): Promise<boolean> {
    return this.#read((data) => {
      assertKey(BACKEND, naturalKey);
      return data.byNaturalKey.has(naturalKey);
    });
  }

  delete(id: string, layer?: Layer): Promise<boolean> {
    try {
      assertKey(BACKEND, id);
      normalizeLayer(BACKEND, layer);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#write((data) => {
      const record = this.#find(data, id, layer);
      return record === undefined ? { result: false, ops: [] } : { result: true, ops: [{ d: record.id }] };
    });
  }

  async *query(query?: RecordQuery): AsyncIterable<StoredRecord> {
    const page = await this.queryPage(query);
    yield* page.records;
  }

  queryPage(query?: RecordQuery): Promise<RecordPage> {
    return this.#read((data) => {
      const normalized = normalizeQuery(BACKEND, query, this.#maxLimit);
      const page =
        normalized.ordering.field === "id"
          ? selectPageById(data.ids.ids(), data.byId, normalized)
          : selectPage(data.byId.values(), normalized);
      return { records: page.records.map(copyOut), next: page.next };
    });
  }

  count(query?: Pick<RecordQuery, "layer" | "where">): Promise<number> {
    return this.#read((data) => countMatching(data.byId.values(), normalizeCountQuery(BACKEND, query)));
  }

  recordSighting(sighting: SightingInput): Promise<boolean> {
    try {
      const s = validateSightingInput(BACKEND, sighting);
      // Under the lock, after catching up: exactly one caller, in any process, sees no list.
      return this.#write((data) => ({ result: !data.sightings.has(s.naturalKey), ops: [{ g: s }] }));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  getSightings(naturalKey: string): Promise<Sighting[]> {
    return this.#read((data) => {
      assertKey(BACKEND, naturalKey);
      return (data.sightings.get(naturalKey) ?? []).map((s) => ({
        ...s,
        seenAt: new Date(s.seenAt.getTime()),
        metadata: structuredClone(s.metadata),
      }));
    });
  }

  clear(): Promise<number> {
    return this.#write((data) => ({ result: data.byId.size, ops: [{ x: 1 }] }));
  }
}

/**
 * A record collection in `records/<sha256(name)>/`: an append-only journal of changes
 * (fsynced before a write is acknowledged) replayed into in-memory indexes, compacted into
 * a snapshot when it grows. Writes run under the collection's lock after catching up with
 * other processes, so unique natural keys, versions and first sightings hold across
 * processes; reads catch up first, so they see every acknowledged write.
 *
 * @example
 * ```ts
 * const feed = createFileRecordStore(shared, "feed");
 * await feed.store({ id: "1", naturalKey: "url:1", content: { title: "Hi" } });
 * ```
 */
export function createFileRecordStore(shared: FileShared, name: string, options?: RecordStoreOptions): RecordStore {
  assertName(BACKEND, name, "collection name");
  const { maxLimit } = normalizeRecordStoreOptions(BACKEND, options);
  const c = storeState<Collection>(shared, `records\u0000${name}`, () => {
    const data = new RecordData();
    const dir = join(shared.directory, "records", fileName(name));
    const journal = new Journal<RecordOp>(dir, data, {
      fsync: shared.fsyncRecords,
      lock: shared.lock,
      onDamage: shared.onDamage,
      what: `records ${name}`,
    });
    shared.lifecycle.onClose(() => journal.close());
    return { data, journal };
  });
  return new FileRecordStore(shared, name, c, maxLimit);
}
