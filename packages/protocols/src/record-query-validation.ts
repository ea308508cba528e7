import type { RecordStoreOptions } from "./backend.js";
import { type CursorPosition, decodeCursor } from "./cursor.js";
import { invalidArgument } from "./errors.js";
import { type Condition, compileFilter, type Ordering, parseOrderBy } from "./filter.js";
import { normalizeLayer } from "./record-validation.js";
import type { Layer } from "./records.js";
import { checkKeys, describeValue, isPlainObject } from "./validation.js";

/**
 * `limit` of a query that gives none.
 *
 * @example
 * ```ts
 * const page = await store.query({ layer: "gold" }); // at most DEFAULT_QUERY_LIMIT records
 * ```
 */
export const DEFAULT_QUERY_LIMIT = 100;
/**
 * `maxLimit` of a record store that gives none.
 *
 * @example
 * ```ts
 * await store.query({ limit: DEFAULT_MAX_LIMIT }); // the largest page a default store serves
 * ```
 */
export const DEFAULT_MAX_LIMIT = 10_000;

const QUERY_KEYS = new Set(["layer", "where", "orderBy", "limit", "offset", "after"]);
const COUNT_KEYS = new Set(["layer", "where"]);

/** A validated query, ready to run: every backend executes exactly this. */
export interface NormalizedQuery {
  layer?: Layer;
  /** AND of every condition. */
  conditions: Condition[];
  ordering: Ordering;
  /** 1..maxLimit. */
  limit: number;
  /** Records to skip after the cursor position (if any). */
  offset: number;
  /** Keyset position: only records strictly after it (see `isAfterCursor`). */
  after?: CursorPosition;
}

/** A validated `count` query. */
export interface NormalizedCountQuery {
  layer?: Layer;
  conditions: Condition[];
}

/**
 * Validates `backend.records(name, options)` options: `maxLimit` a positive safe integer
 * (default {@link DEFAULT_MAX_LIMIT}).
 *
 * @example
 * ```ts
 * const { maxLimit } = normalizeRecordStoreOptions("sqlite", options);
 * ```
 */
export function normalizeRecordStoreOptions(backend: string, options: unknown): Required<RecordStoreOptions> {
  if (options === undefined) return { maxLimit: DEFAULT_MAX_LIMIT };
  if (!isPlainObject(options)) throw invalidArgument(backend, "record store options must be a plain object");
  checkKeys(backend, options, new Set(["maxLimit"]), "record store option");
  const { maxLimit } = options;
  if (maxLimit === undefined) return { maxLimit: DEFAULT_MAX_LIMIT };
  if (typeof maxLimit !== "number" || !Number.isSafeInteger(maxLimit) || maxLimit < 1) {
    throw invalidArgument(backend, `maxLimit must be a positive integer, got ${describeValue(maxLimit)}`);
  }
  return { maxLimit };
}

/**
 * Validates a query and resolves defaults: `where` → conditions (`compileFilter`),
 * `orderBy` → ordering (`parseOrderBy`, default `"id"`), `limit` an integer in
 * 1..`maxLimit` (default 100, or `maxLimit` if smaller), `offset` a non-negative integer (default 0), `after` a
 * cursor made for the same `orderBy` (`decodeCursor`). Unknown keys are `INVALID_ARGUMENT`.
 *
 * Execution, identical everywhere: keep records of `layer` (if given) matching every
 * condition, sort by `compareRecords`, keep those strictly after `after` (if given), skip
 * `offset`, take `limit`. A page's `next` cursor (`encodeCursor` of its last record) is
 * `null` exactly when no matching record follows the page.
 *
 * @example
 * ```ts
 * const q = normalizeQuery("sqlite", { where: { "content.score": { gte: 5 } }, orderBy: "-createdAt" }, 10_000);
 * ```
 */
export function normalizeQuery(backend: string, query: unknown, maxLimit: number): NormalizedQuery {
  if (query === undefined) query = {};
  if (!isPlainObject(query)) throw invalidArgument(backend, "a query must be a plain object");
  checkKeys(backend, query, QUERY_KEYS, "query");
  const ordering = parseOrderBy(query.orderBy, backend);
  const limit = query.limit ?? Math.min(DEFAULT_QUERY_LIMIT, maxLimit);
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) {
    throw invalidArgument(backend, `limit must be an integer from 1 to ${maxLimit}, got ${describeValue(limit)}`);
  }
  const offset = query.offset ?? 0;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidArgument(backend, `offset must be a non-negative integer, got ${describeValue(offset)}`);
  }
  const normalized: NormalizedQuery = {
    conditions: compileFilter(query.where, backend),
    ordering,
    limit,
    offset,
  };
  const layer = normalizeLayer(backend, query.layer);
  if (layer !== undefined) normalized.layer = layer;
  if (query.after !== undefined) normalized.after = decodeCursor(query.after, ordering, backend);
  return normalized;
}

/**
 * Validates a `count` query: only `layer` and `where` (anything else, paging included, is
 * `INVALID_ARGUMENT`, because a count ignores paging).
 *
 * @example
 * ```ts
 * const q = normalizeCountQuery("sqlite", { layer: "gold" });
 * ```
 */
export function normalizeCountQuery(backend: string, query: unknown): NormalizedCountQuery {
  if (query === undefined) query = {};
  if (!isPlainObject(query)) throw invalidArgument(backend, "a count query must be a plain object");
  checkKeys(backend, query, COUNT_KEYS, "count query");
  const normalized: NormalizedCountQuery = { conditions: compileFilter(query.where, backend) };
  const layer = normalizeLayer(backend, query.layer);
  if (layer !== undefined) normalized.layer = layer;
  return normalized;
}
