import type { BackendError } from "../../errors.js";
import type { Lifecycle } from "../../lifecycle.js";
import type { NormalizedCountQuery, NormalizedQuery } from "../../record-query-validation.js";
import type { NormalizedRecordInput, NormalizedSightingInput } from "../../record-validation.js";
import type { Layer, OnConflict, RecordPage, Sighting, StoreBatchResult, StoredRecord } from "../../records.js";

/** A driver hook may answer synchronously (in-process stores) or with a promise. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * What a backend supplies for the record store: the storage of one backend, opening one
 * collection driver per name. `createRecordStore` builds the public `RecordStore` on it.
 *
 * Error contract: a driver throws (or rejects with) a `BackendError` for what it knows —
 * `CONFLICT` for a version, id or natural-key clash, `CORRUPTION` for unreadable stored
 * data, its own connection errors. Anything else it throws is mapped by the layer with
 * {@link RecordDriver.toError} (default: `CONNECTION` with URL passwords redacted).
 * Work that outlives the call (I/O) runs under `lifecycle.run` so `close()` waits for it.
 *
 * @example
 * ```ts
 * const driver: RecordDriver = { backend: "acme", lifecycle, collection: (name) => new AcmeRecords(name) };
 * const store = createRecordStore(driver, "feed");
 * ```
 */
export interface RecordDriver {
  /** Name in every error message (`[acme] …`). */
  readonly backend: string;
  /** The backend's lifecycle: the layer rejects every call with `CLOSED` once it is closed. */
  readonly lifecycle: Lifecycle;
  /** Maps an error the driver threw that is not a `BackendError` (redact secrets here). */
  toError?(err: unknown, operation: string): BackendError;
  /** The collection `name` (already validated by `assertName`). */
  collection(name: string): RecordCollectionDriver;
}

/**
 * The storage of one record collection. Every argument is already validated and
 * normalized (keys checked, layers resolved, content deep-copied, queries compiled);
 * the layer checked the closed state first. Optional hooks are filled in by the layer.
 *
 * @example
 * ```ts
 * const records: RecordCollectionDriver = {
 *   sharesObjects: true,
 *   get: (id, layer) => { const r = map.get(id); return r && (!layer || r.layer === layer) ? r : null; },
 *   …
 * };
 * ```
 */
export interface RecordCollectionDriver {
  /**
   * True when hooks return the driver's own stored objects (records and sightings): the
   * layer then hands callers deep copies, so mutating a result changes nothing stored.
   */
  readonly sharesObjects?: boolean;
  /**
   * Upserts one record; `expectedVersion` (0 = must not exist) mismatch is `CONFLICT`, and
   * so is a natural key owned by another id. `updatedAt` never goes backwards. Returns it as stored.
   */
  store(input: NormalizedRecordInput, expectedVersion: number | undefined): MaybePromise<StoredRecord>;
  /** Writes a non-empty batch atomically (all or nothing) under the `OnConflict` rules. */
  storeBatch(inputs: NormalizedRecordInput[], onConflict: OnConflict): MaybePromise<StoreBatchResult>;
  /** The record `id` (of `layer` when given), or null. */
  get(id: string, layer: Layer | undefined): MaybePromise<StoredRecord | null>;
  getByNaturalKey(naturalKey: string): MaybePromise<StoredRecord | null>;
  /** Default: `get(id, layer) !== null`. */
  exists?(id: string, layer: Layer | undefined): MaybePromise<boolean>;
  /** Default: `getByNaturalKey(naturalKey) !== null`. */
  existsByNaturalKey?(naturalKey: string): MaybePromise<boolean>;
  delete(id: string, layer: Layer | undefined): MaybePromise<boolean>;
  /**
   * One page of a normalized query, natively (see `normalizeQuery` for the semantics and
   * `encodeCursor` for `next`). Return null — synchronously — for a query it cannot run
   * natively (or leave the hook out): the layer then runs it over
   * {@link RecordCollectionDriver.scan} with the shared `selectPage`.
   */
  queryPage?(query: NormalizedQuery): MaybePromise<RecordPage> | null;
  /** Counts natively; null (synchronously, or the hook left out) → the layer counts `scan`. */
  count?(query: NormalizedCountQuery): MaybePromise<number> | null;
  /** Every record (of `layer` when given): the source of the shared query and count fallbacks. */
  scan?(layer: Layer | undefined): MaybePromise<Iterable<StoredRecord>>;
  /** Appends a sighting; true for the first sighting of its natural key (exactly one caller wins). */
  recordSighting(sighting: NormalizedSightingInput): MaybePromise<boolean>;
  /** Oldest first by `seenAt`, equal times in arrival order. */
  getSightings(naturalKey: string): MaybePromise<Sighting[]>;
  /** Removes every record and sighting; returns the number of records removed. */
  clear(): MaybePromise<number>;
}
