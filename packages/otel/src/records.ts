import type {
  Layer,
  OnConflict,
  RecordInput,
  RecordPage,
  RecordQuery,
  RecordStore,
  Sighting,
  SightingInput,
  StoreBatchResult,
  StoredRecord,
} from "@core/protocols";
import { DbSpecs } from "./specs.js";
import type { Telemetry } from "./telemetry.js";

/**
 * A record store whose every operation is a `db.*` span (collection = the store's name) and
 * a `db.client.operation.duration` sample; `storeBatch` carries `db.operation.batch.size`,
 * `query` is one span over the whole iteration.
 *
 * @example
 * ```ts
 * const feed = new InstrumentedRecordStore(backend.records("feed"), telemetry, "postgresql");
 * ```
 */
export class InstrumentedRecordStore implements RecordStore {
  readonly #inner: RecordStore;
  readonly #telemetry: Telemetry;
  readonly #specs: DbSpecs;

  constructor(inner: RecordStore, telemetry: Telemetry, system: string) {
    this.#inner = inner;
    this.#telemetry = telemetry;
    this.#specs = new DbSpecs(system, inner.name);
  }

  get name(): string {
    return this.#inner.name;
  }

  #call<T>(operation: string, fn: () => Promise<T>, batchSize?: number): Promise<T> {
    if (!this.#telemetry.enabled()) return fn();
    return this.#telemetry.run(this.#specs.of(operation, batchSize), fn);
  }

  store(
    record: RecordInput,
    options?: { expectedVersion?: number; preserveTimestamps?: boolean },
  ): Promise<StoredRecord> {
    return this.#call("store", () => this.#inner.store(record, options));
  }
  storeBatch(
    records: readonly RecordInput[],
    options?: { onConflict?: OnConflict; preserveTimestamps?: boolean },
  ): Promise<StoreBatchResult> {
    return this.#call("storeBatch", () => this.#inner.storeBatch(records, options), records.length);
  }
  promote(id: string, toLayer: Layer, options?: { expectedVersion?: number }): Promise<StoredRecord | null> {
    return this.#call("promote", () => this.#inner.promote(id, toLayer, options));
  }
  get(id: string, layer?: Layer): Promise<StoredRecord | null> {
    return this.#call("get", () => this.#inner.get(id, layer));
  }
  getByNaturalKey(naturalKey: string): Promise<StoredRecord | null> {
    return this.#call("getByNaturalKey", () => this.#inner.getByNaturalKey(naturalKey));
  }
  exists(id: string, layer?: Layer): Promise<boolean> {
    return this.#call("exists", () => this.#inner.exists(id, layer));
  }
  existsByNaturalKey(naturalKey: string): Promise<boolean> {
    return this.#call("existsByNaturalKey", () => this.#inner.existsByNaturalKey(naturalKey));
  }
  delete(id: string, layer?: Layer): Promise<boolean> {
    return this.#call("delete", () => this.#inner.delete(id, layer));
  }
  query(query?: RecordQuery): AsyncIterable<StoredRecord> {
    if (!this.#telemetry.enabled()) return this.#inner.query(query);
    return this.#telemetry.iterate(this.#specs.of("query"), () => this.#inner.query(query));
  }
  queryPage(query?: RecordQuery): Promise<RecordPage> {
    return this.#call("queryPage", () => this.#inner.queryPage(query));
  }
  count(query?: Pick<RecordQuery, "layer" | "where">): Promise<number> {
    return this.#call("count", () => this.#inner.count(query));
  }
  recordSighting(sighting: SightingInput): Promise<boolean> {
    return this.#call("recordSighting", () => this.#inner.recordSighting(sighting));
  }
  getSightings(naturalKey: string): Promise<Sighting[]> {
    return this.#call("getSightings", () => this.#inner.getSightings(naturalKey));
  }
  clear(): Promise<number> {
    return this.#call("clear", () => this.#inner.clear());
  }
}
