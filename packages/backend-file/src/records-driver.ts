import { join } from "node:path";
import type * as R from "@core/protocols";
import type {
  NormalizedCountQuery,
  NormalizedQuery,
  NormalizedRecordInput,
  NormalizedSightingInput,
} from "@core/protocols/kit";
import { type Lifecycle, type RecordCollectionDriver, type RecordDriver, upsertedRecord } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import { Journal } from "./journal.js";
import { fileName } from "./names.js";
import { RecordData, type RecordOp } from "./records-data.js";
import { type FileShared, storeState } from "./shared.js";

interface Collection {
  data: RecordData;
  journal: Journal<RecordOp>;
}

type Outcome = "inserted" | "updated" | "skipped";

/** The writes of one call: applied as they are checked, undone together on a conflict. */
class Writer {
  readonly ops: RecordOp[] = [];
  readonly #data: RecordData;
  readonly #undo: (() => void)[] = [];
  readonly #now = new Date();

  constructor(data: RecordData) {
    this.#data = data;
  }

  write(input: NormalizedRecordInput, onConflict: R.OnConflict, expectedVersion?: number): Outcome {
    const existing = this.#data.byId.get(input.id);
    const owner = this.#data.byNaturalKey.get(input.naturalKey);
    const record = upsertedRecord(BACKEND, input, existing, owner, onConflict, expectedVersion, this.#now);
    if (record === null) return "skipped";
    this.#undo.push(this.#data.putRecord(record));
    this.ops.push({ r: record });
    return existing === undefined ? "inserted" : "updated";
  }

  rollback(): void {
    for (const undo of this.#undo.splice(0).reverse()) undo();
  }
}

/**
 * A record collection in `records/<sha256(name)>/`: a {@link Journal} (fsynced) replayed
 * into the kit's indexes, so unique natural keys, versions and first sightings hold across
 * processes. Hooks hand out the stored objects: the layer copies them (`sharesObjects`).
 */
class FileRecords implements RecordCollectionDriver {
  readonly sharesObjects = true;
  readonly #lifecycle: Lifecycle;
  readonly #c: Collection;

  constructor(lifecycle: Lifecycle, c: Collection) {
    this.#lifecycle = lifecycle;
    this.#c = c;
  }

  #read<T>(fn: (data: RecordData) => T): Promise<T> {
    return this.#lifecycle.run(() => {
      const { journal, data } = this.#c;
      // Concurrent reads share one freshness check (see Journal.sync).
      return journal.sync().then(() => fn(data));
    });
  }

  #write<T>(fn: (data: RecordData) => { result: T; ops: RecordOp[]; applied?: boolean }): Promise<T> {
    return this.#lifecycle.run(() => this.#c.journal.mutate(() => fn(this.#c.data)));
  }

  store(input: NormalizedRecordInput, expectedVersion: number | undefined): Promise<R.StoredRecord> {
    return this.#write((data) => {
      const writer = new Writer(data);
      writer.write(input, "update", expectedVersion);
      return { result: data.byId.get(input.id) as R.StoredRecord, ops: writer.ops, applied: true };
    });
  }

  storeBatch(inputs: NormalizedRecordInput[], onConflict: R.OnConflict): Promise<R.StoreBatchResult> {
    return this.#write((data) => {
      const result: R.StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
      const writer = new Writer(data);
      try {
        for (const input of inputs) result[writer.write(input, onConflict)] += 1;
      } catch (err) {
        writer.rollback();
        throw err;
      }
      return { result, ops: writer.ops, applied: true };
    });
  }

  get(id: string, layer: R.Layer | undefined): Promise<R.StoredRecord | null> {
    return this.#read((data) => find(data, id, layer));
  }

  getByNaturalKey(naturalKey: string): Promise<R.StoredRecord | null> {
    return this.#read((data) => {
      const id = data.byNaturalKey.get(naturalKey);
      return id === undefined ? null : (data.byId.get(id) as R.StoredRecord);
    });
  }

  exists(id: string, layer: R.Layer | undefined): Promise<boolean> {
    return this.#read((data) => find(data, id, layer) !== null);
  }

  existsByNaturalKey(naturalKey: string): Promise<boolean> {
    return this.#read((data) => data.byNaturalKey.has(naturalKey));
  }

  delete(id: string, layer: R.Layer | undefined): Promise<boolean> {
    return this.#write((data) => {
      const record = find(data, id, layer);
      return record === null ? { result: false, ops: [] } : { result: true, ops: [{ d: record.id }] };
    });
  }

  queryPage(query: NormalizedQuery): Promise<R.RecordPage> {
    return this.#read((data) => data.page(query));
  }

  count(query: NormalizedCountQuery): Promise<number> {
    return this.#read((data) => data.count(query));
  }

  recordSighting(s: NormalizedSightingInput): Promise<boolean> {
    // Under the lock, after catching up: exactly one caller, in any process, sees no list.
    return this.#write((data) => ({ result: !data.sightings.has(s.naturalKey), ops: [{ g: s }] }));
  }

  getSightings(naturalKey: string): Promise<R.Sighting[]> {
    return this.#read((data) => data.sightings.get(naturalKey) ?? []);
  }

  clear(): Promise<number> {
    return this.#write((data) => ({ result: data.byId.size, ops: [{ x: 1 }] }));
  }
}

function find(data: RecordData, id: string, layer: R.Layer | undefined): R.StoredRecord | null {
  const record = data.byId.get(id);
  return record !== undefined && (layer === undefined || record.layer === layer) ? record : null;
}

/**
 * The file backend's record driver: one journaled collection per name, shared by every
 * handle of the backend.
 */
export function fileRecordDriver(shared: FileShared): RecordDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    collection(name) {
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
      return new FileRecords(shared.lifecycle, c);
    },
  };
}
