import type { Filter } from "./filter.js";

/** Refinement stage of a record: raw → validated → enriched. */
export type Layer = "bronze" | "silver" | "gold";

/**
 * The layers in order.
 *
 * @example
 * ```ts
 * const next = LAYERS[LAYERS.indexOf("bronze") + 1]; // "silver"
 * ```
 */
export const LAYERS: readonly Layer[] = Object.freeze(["bronze", "silver", "gold"]);

/** What a caller stores. `content` and `metadata` must be JSON objects. */
export interface RecordInput {
  id: string;
  naturalKey: string;
  /** Default `"bronze"`. */
  layer?: Layer;
  content: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /**
   * Owned by the store and ignored, unless the write passes `preserveTimestamps: true`
   * (historic imports): then both are required, as a `Date` or an ISO 8601 string with a
   * time zone, `updatedAt` not before `createdAt`, and stored exactly as given.
   */
  createdAt?: Date | string;
  /** See {@link RecordInput.createdAt}. */
  updatedAt?: Date | string;
}

/** A record as stored. */
export interface StoredRecord {
  id: string;
  naturalKey: string;
  layer: Layer;
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /** 1 on first store, +1 on every update. */
  version: number;
}

/** An observation of a natural key by a source. */
export interface Sighting {
  naturalKey: string;
  source: string;
  seenAt: Date;
  metadata: Record<string, unknown>;
  contentHash: string | null;
}

/** Input of `recordSighting`. `seenAt` defaults to now. */
export interface SightingInput {
  naturalKey: string;
  source: string;
  seenAt?: Date;
  metadata?: Record<string, unknown>;
  contentHash?: string;
}

/** Opaque keyset cursor: pass it as `after` to continue after the last record of a page. */
export type Cursor = string;

/**
 * Fields a filter or `orderBy` may name: `id`, `naturalKey`, `layer`, `createdAt`,
 * `updatedAt`, `content.<path>`, `metadata.<path>` (path segments separated by `.`).
 */
export type RecordField =
  | "id"
  | "naturalKey"
  | "layer"
  | "createdAt"
  | "updatedAt"
  | `content.${string}`
  | `metadata.${string}`;

/** A query of the record store. */
export interface RecordQuery {
  layer?: Layer;
  where?: Filter;
  /**
   * A field, `-` prefix for descending. Ties are broken by `id` in the same direction (a
   * descending order is the ascending one reversed). Default `"id"`.
   */
  orderBy?: RecordField | `-${RecordField}`;
  /** Default 100. */
  limit?: number;
  /** Default 0. */
  offset?: number;
  /** Keyset cursor from a previous page, for the same `orderBy`. */
  after?: Cursor;
}

/** One page of a query and the cursor to the next (`null` at the end). */
export interface RecordPage {
  records: StoredRecord[];
  next: Cursor | null;
}

/** Result counts of `storeBatch`. */
export interface StoreBatchResult {
  inserted: number;
  updated: number;
  skipped: number;
}

/**
 * What `storeBatch` does with an id that already exists: skip it, update it, or fail the
 * whole batch with `CONFLICT` (nothing written). A natural key taken by another id is
 * skipped under `"skip"` and a `CONFLICT` otherwise.
 */
export type OnConflict = "skip" | "update" | "error";

/**
 * A collection of records with natural keys, layers and sightings.
 *
 * @example
 * ```ts
 * const feed = backend.records("feed");
 * if (await feed.recordSighting({ naturalKey: url, source: "rss" })) {
 *   await feed.store({ id: crypto.randomUUID(), naturalKey: url, content: { title } });
 * }
 * for await (const r of feed.query({ layer: "gold", where: { "content.score": { gte: 5 } } })) …
 * ```
 */
export interface RecordStore {
  readonly name: string;
  /**
   * Upsert by id. `expectedVersion` (0 = must not exist) mismatch → `CONFLICT`.
   * `preserveTimestamps: true` keeps the record's own `createdAt`/`updatedAt` (see
   * {@link RecordInput.createdAt}); without it the store sets them.
   */
  store(
    record: RecordInput,
    options?: { expectedVersion?: number; preserveTimestamps?: boolean },
  ): Promise<StoredRecord>;
  /**
   * Atomic: validated first, then written in one transaction. Default `onConflict: "update"`.
   * `preserveTimestamps` as for `store`, checked on every record before anything is written.
   */
  storeBatch(
    records: readonly RecordInput[],
    options?: { onConflict?: OnConflict; preserveTimestamps?: boolean },
  ): Promise<StoreBatchResult>;
  /**
   * Moves the record `id` to layer `toLayer` (any direction) atomically: content, metadata
   * and natural key stay, `version` goes up by one and `updatedAt` is now. Returns the
   * record as stored, or null when there is no record `id` (like `get`). Already in
   * `toLayer`: nothing is written and the record is returned as it is (no version bump).
   * `expectedVersion` (≥ 1) mismatch → `CONFLICT`; without it a write that races the
   * promotion is retried on the fresh record (`CONFLICT` only after 16 lost races).
   */
  promote(id: string, toLayer: Layer, options?: { expectedVersion?: number }): Promise<StoredRecord | null>;
  get(id: string, layer?: Layer): Promise<StoredRecord | null>;
  getByNaturalKey(naturalKey: string): Promise<StoredRecord | null>;
  exists(id: string, layer?: Layer): Promise<boolean>;
  existsByNaturalKey(naturalKey: string): Promise<boolean>;
  delete(id: string, layer?: Layer): Promise<boolean>;
  /** The records of one page (up to `limit`), in order. */
  query(query?: RecordQuery): AsyncIterable<StoredRecord>;
  /** Like `query`, with the cursor to the next page. */
  queryPage(query?: RecordQuery): Promise<RecordPage>;
  count(query?: Pick<RecordQuery, "layer" | "where">): Promise<number>;
  /** True the first time a natural key is sighted — exactly one concurrent caller wins. */
  recordSighting(sighting: SightingInput): Promise<boolean>;
  /** Oldest first (by `seenAt`, then by arrival). Kept when the record is deleted. */
  getSightings(naturalKey: string): Promise<Sighting[]>;
  /** Removes every record and sighting of this collection; returns records removed. */
  clear(): Promise<number>;
}
