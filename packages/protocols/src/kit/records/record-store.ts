import { BackendError, closedError } from "../../errors.js";
import type { Lifecycle } from "../../lifecycle.js";
import { normalizeCountQuery, normalizeQuery, normalizeRecordStoreOptions } from "../../record-query-validation.js";
import { countMatching, selectPage } from "../../record-select.js";
import {
  normalizeLayer,
  validateBatchOptions,
  validatePromote,
  validateRecordBatch,
  validateRecordInput,
  validateSightingInput,
  validateStoreOptions,
} from "../../record-validation.js";
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
} from "../../records.js";
import { redactUrl } from "../../redact.js";
import { assertKey, assertName } from "../../validation.js";
import { copyOrNull, copyPage, copyRecord, copySightings } from "./record-copy.js";
import type { MaybePromise, RecordCollectionDriver, RecordDriver } from "./record-driver.js";
import { promoteRecord } from "./record-promote.js";

const EMPTY_BATCH: StoreBatchResult = Object.freeze({ inserted: 0, updated: 0, skipped: 0 });

function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}

function isNotNull(record: StoredRecord | null): boolean {
  return record !== null && record !== undefined;
}

/**
 * The one public record store over a driver: checks the closed state, then validates and
 * normalizes every argument (the driver sees only valid input), runs the driver hook,
 * copies shared objects out, fills in what the driver leaves out (`exists`, queries and
 * counts over `scan`) and maps the driver's unknown errors. Every method is async: a bad
 * argument is a rejected promise, never a synchronous throw.
 */
class LayeredRecordStore implements RecordStore {
  readonly name: string;
  readonly #backend: string;
  readonly #life: Lifecycle;
  readonly #d: RecordCollectionDriver;
  readonly #driver: RecordDriver;
  readonly #maxLimit: number;
  readonly #copy: boolean;
  // Rejection handlers bound once per store, so a call allocates no closure.
  readonly #failed: Record<string, (err: unknown) => never> = {};

  constructor(driver: RecordDriver, name: string, maxLimit: number) {
    this.name = name;
    this.#backend = driver.backend;
    this.#life = driver.lifecycle;
    this.#driver = driver;
    this.#d = driver.collection(name);
    this.#maxLimit = maxLimit;
    this.#copy = this.#d.sharesObjects === true;
    for (const op of OPERATIONS) {
      this.#failed[op] = (err: unknown) => {
        throw this.#toError(err, op);
      };
    }
  }

  #toError(err: unknown, op: string): BackendError {
    if (err instanceof BackendError) return err;
    const mapped = this.#driver.toError?.(err, `records.${op}`);
    if (mapped !== undefined) return mapped;
    const text = redactUrl(err instanceof Error ? err.message : String(err));
    return new BackendError("CONNECTION", `[${this.#backend}] records.${op}: ${text}`, {
      backend: this.#backend,
      cause: err,
    });
  }

  #reject(err: unknown, op: string): Promise<never> {
    return Promise.reject(this.#toError(err, op));
  }

  #open(): void {
    if (this.#life.closed) throw closedError(this.#backend);
  }

  // Settles a driver answer: a promise gets the error mapping (and the copy, if the driver
  // shares objects), a plain value resolves at once.
  #settle<T>(out: MaybePromise<T>, op: string, copy?: (value: T) => T): Promise<T> {
    const fail = this.#failed[op]!;
    if (isPromise(out)) return this.#copy && copy !== undefined ? out.then(copy, fail) : out.catch(fail);
    return Promise.resolve(this.#copy && copy !== undefined ? copy(out) : out);
  }

  #layer(layer: unknown): Layer | undefined {
    return layer === undefined ? undefined : normalizeLayer(this.#backend, layer);
  }

  store(
    record: RecordInput,
    options?: { expectedVersion?: number; preserveTimestamps?: boolean },
  ): Promise<StoredRecord> {
    try {
      this.#open();
      if (options === undefined) {
        return this.#settle(this.#d.store(validateRecordInput(this.#backend, record), undefined), "store", copyRecord);
      }
      const { expectedVersion, preserveTimestamps } = validateStoreOptions(this.#backend, options);
      const input = validateRecordInput(this.#backend, record, preserveTimestamps);
      return this.#settle(this.#d.store(input, expectedVersion), "store", copyRecord);
    } catch (err) {
      return this.#reject(err, "store");
    }
  }

  storeBatch(
    records: readonly RecordInput[],
    options?: { onConflict?: OnConflict; preserveTimestamps?: boolean },
  ): Promise<StoreBatchResult> {
    try {
      this.#open();
      const { onConflict, preserveTimestamps } = validateBatchOptions(this.#backend, options);
      const inputs = validateRecordBatch(this.#backend, records, preserveTimestamps);
      if (inputs.length === 0) return Promise.resolve({ ...EMPTY_BATCH });
      return this.#settle(this.#d.storeBatch(inputs, onConflict), "storeBatch");
    } catch (err) {
      return this.#reject(err, "storeBatch");
    }
  }

  promote(id: string, toLayer: Layer, options?: { expectedVersion?: number }): Promise<StoredRecord | null> {
    try {
      this.#open();
      assertKey(this.#backend, id);
      const { toLayer: layer, expectedVersion } = validatePromote(this.#backend, toLayer, options);
      const out = promoteRecord(this.#d, this.#backend, id, layer, expectedVersion, this.#copy);
      return this.#settle(out, "promote", copyOrNull);
    } catch (err) {
      return this.#reject(err, "promote");
    }
  }

  get(id: string, layer?: Layer): Promise<StoredRecord | null> {
    try {
      this.#open();
      assertKey(this.#backend, id);
      return this.#settle(this.#d.get(id, this.#layer(layer)), "get", copyOrNull);
    } catch (err) {
      return this.#reject(err, "get");
    }
  }

  getByNaturalKey(naturalKey: string): Promise<StoredRecord | null> {
    try {
      this.#open();
      assertKey(this.#backend, naturalKey);
      return this.#settle(this.#d.getByNaturalKey(naturalKey), "getByNaturalKey", copyOrNull);
    } catch (err) {
      return this.#reject(err, "getByNaturalKey");
    }
  }

  exists(id: string, layer?: Layer): Promise<boolean> {
    try {
      this.#open();
      assertKey(this.#backend, id);
      const wanted = this.#layer(layer);
      if (this.#d.exists !== undefined) return this.#settle(this.#d.exists(id, wanted), "exists");
      const out = this.#d.get(id, wanted);
      return isPromise(out) ? out.then(isNotNull, this.#failed.exists) : Promise.resolve(isNotNull(out));
    } catch (err) {
      return this.#reject(err, "exists");
    }
  }

  existsByNaturalKey(naturalKey: string): Promise<boolean> {
    try {
      this.#open();
      assertKey(this.#backend, naturalKey);
      if (this.#d.existsByNaturalKey !== undefined) {
        return this.#settle(this.#d.existsByNaturalKey(naturalKey), "existsByNaturalKey");
      }
      const out = this.#d.getByNaturalKey(naturalKey);
      return isPromise(out) ? out.then(isNotNull, this.#failed.existsByNaturalKey) : Promise.resolve(isNotNull(out));
    } catch (err) {
      return this.#reject(err, "existsByNaturalKey");
    }
  }

  delete(id: string, layer?: Layer): Promise<boolean> {
    try {
      this.#open();
      assertKey(this.#backend, id);
      return this.#settle(this.#d.delete(id, this.#layer(layer)), "delete");
    } catch (err) {
      return this.#reject(err, "delete");
    }
  }

  async *query(query?: RecordQuery): AsyncIterable<StoredRecord> {
    const page = await this.queryPage(query);
    yield* page.records;
  }

  queryPage(query?: RecordQuery): Promise<RecordPage> {
    try {
      this.#open();
      const normalized = normalizeQuery(this.#backend, query, this.#maxLimit);
      const native = this.#d.queryPage?.(normalized) ?? null;
      if (native === null) return this.#scanned(normalized, "queryPage", selectPage, copyPage);
      return this.#settle(native, "queryPage", copyPage);
    } catch (err) {
      return this.#reject(err, "queryPage");
    }
  }

  count(query?: Pick<RecordQuery, "layer" | "where">): Promise<number> {
    try {
      this.#open();
      const normalized = normalizeCountQuery(this.#backend, query);
      const native = this.#d.count?.(normalized) ?? null;
      if (native === null) return this.#scanned(normalized, "count", countMatching);
      return this.#settle(native, "count");
    } catch (err) {
      return this.#reject(err, "count");
    }
  }

  // The fallback of a query or count the driver does not run natively: the shared
  // in-memory semantics over every record of the layer.
  #scanned<Q extends { layer?: Layer }, R>(
    query: Q,
    op: string,
    run: (records: Iterable<StoredRecord>, query: Q) => R,
    copy?: (result: R) => R,
  ): Promise<R> {
    if (this.#d.scan === undefined) {
      throw new BackendError("NOT_SUPPORTED", `[${this.#backend}] the record driver has no ${op} and no scan`, {
        backend: this.#backend,
      });
    }
    const records = this.#d.scan(query.layer);
    if (isPromise(records))
      return this.#settle(
        records.then((all) => run(all, query)),
        op,
        copy,
      );
    return this.#settle(run(records, query), op, copy);
  }

  recordSighting(sighting: SightingInput): Promise<boolean> {
    try {
      this.#open();
      return this.#settle(this.#d.recordSighting(validateSightingInput(this.#backend, sighting)), "recordSighting");
    } catch (err) {
      return this.#reject(err, "recordSighting");
    }
  }

  getSightings(naturalKey: string): Promise<Sighting[]> {
    try {
      this.#open();
      assertKey(this.#backend, naturalKey);
      return this.#settle(this.#d.getSightings(naturalKey), "getSightings", copySightings);
    } catch (err) {
      return this.#reject(err, "getSightings");
    }
  }

  clear(): Promise<number> {
    try {
      this.#open();
      return this.#settle(this.#d.clear(), "clear");
    } catch (err) {
      return this.#reject(err, "clear");
    }
  }
}

const OPERATIONS = [
  "store",
  "storeBatch",
  "promote",
  "get",
  "getByNaturalKey",
  "exists",
  "existsByNaturalKey",
  "delete",
  "queryPage",
  "count",
  "recordSighting",
  "getSightings",
  "clear",
] as const;

/**
 * Builds the public `RecordStore` of collection `name` on a backend's record driver. The
 * layer owns the behaviour every backend shares: `CLOSED` before anything else, argument
 * validation (`INVALID_ARGUMENT` before any write), query and cursor normalization, copies
 * of shared objects, `exists`/query/count fallbacks and error mapping; the driver supplies
 * storage only (see {@link RecordDriver} for its error contract).
 *
 * @example
 * ```ts
 * records(name: string, options?: RecordStoreOptions): RecordStore {
 *   return createRecordStore(this.#recordDriver, name, options);
 * }
 * ```
 */
export function createRecordStore(driver: RecordDriver, name: string, options?: unknown): RecordStore {
  driver.lifecycle.assertOpen();
  assertName(driver.backend, name, "collection name");
  const { maxLimit } = normalizeRecordStoreOptions(driver.backend, options);
  return new LayeredRecordStore(driver, name, maxLimit);
}
