import type { RecordStoreOptions } from "./backend.js";
import { type CursorPosition, decodeCursor } from "./cursor.js";
import { invalidArgument } from "./errors.js";
import { type Condition, compileFilter, type Ordering, parseOrderBy } from "./filter.js";
import { fastCopyJsonObject } from "./json-fast-copy.js";
import { LAYERS, type Layer, type OnConflict } from "./records.js";
import { assertKey, describeValue, isPlainObject } from "./validation.js";

/** `limit` of a query that gives none. */
export const DEFAULT_QUERY_LIMIT = 100;
/** `maxLimit` of a record store that gives none. */
export const DEFAULT_MAX_LIMIT = 10_000;
/** Longest sighting `source`, in characters. */
export const MAX_SOURCE_LENGTH = 256;
/** Longest sighting `contentHash`, in characters. */
export const MAX_CONTENT_HASH_LENGTH = 1024;
/**
 * Deepest nesting of `content`/`metadata` (the top object is depth 1). SQLite's JSON
 * functions stop at 1000 and deep documents make PostgreSQL's `jsonb` recurse, so every
 * backend accepts the same, comfortably supported depth.
 */
export const MAX_JSON_DEPTH = 100;

// Keys that would reach an object's prototype when a backend (or a caller) assigns them.
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const RECORD_KEYS = new Set(["id", "naturalKey", "layer", "content", "metadata"]);
// A StoredRecord read back may be stored again: the store owns these, so they are ignored.
const OWNED_KEYS = new Set(["createdAt", "updatedAt", "version"]);
const SIGHTING_KEYS = new Set(["naturalKey", "source", "seenAt", "metadata", "contentHash"]);
const QUERY_KEYS = new Set(["layer", "where", "orderBy", "limit", "offset", "after"]);
const COUNT_KEYS = new Set(["layer", "where"]);
const ON_CONFLICT = new Set<OnConflict>(["skip", "update", "error"]);

/** A validated record: fresh deep copies of `content` and `metadata`, defaults applied. */
export interface NormalizedRecordInput {
  id: string;
  naturalKey: string;
  layer: Layer;
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** A validated sighting, defaults applied (`seenAt` now, `metadata` `{}`, `contentHash` null). */
export interface NormalizedSightingInput {
  naturalKey: string;
  source: string;
  seenAt: Date;
  metadata: Record<string, unknown>;
  contentHash: string | null;
}

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

function checkKeys(backend: string, value: Record<string, unknown>, allowed: Set<string>, what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      throw invalidArgument(
        backend,
        `unknown ${what} field ${JSON.stringify(key)}; allowed: ${[...allowed].join(", ")}`,
      );
    }
  }
}

function checkText(backend: string, text: string, where: string): void {
  if (!text.isWellFormed()) throw invalidArgument(backend, `${where} contains a lone surrogate (not valid UTF-16)`);
  // PostgreSQL text and jsonb cannot hold U+0000, so no backend accepts it.
  if (text.includes("\u0000")) throw invalidArgument(backend, `${where} contains U+0000, which records cannot hold`);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return (value as object).constructor?.name ?? "object";
}

function copyJson(backend: string, value: unknown, path: string, depth: number, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case "string":
      checkText(backend, value, path);
      return value;
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value))
        throw invalidArgument(backend, `${path} is ${value}; records hold JSON numbers only`);
      // JSON has no -0; normalising here makes every backend return the same 0.
      return value === 0 ? 0 : value;
    case "undefined":
      throw invalidArgument(backend, `${path} is undefined; records hold JSON: omit the field or use null`);
    case "bigint":
      throw invalidArgument(backend, `${path} is a bigint; records hold JSON: store it as a string`);
    case "function":
    case "symbol":
      throw invalidArgument(backend, `${path} is a ${typeof value}; records hold JSON`);
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) throw invalidArgument(backend, `${path} contains a cycle; records hold JSON`);
  if (depth >= MAX_JSON_DEPTH) throw invalidArgument(backend, `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      const out: unknown[] = [];
      for (let i = 0; i < object.length; i++) {
        if (!(i in object)) throw invalidArgument(backend, `${path}[${i}] is a hole; records hold JSON`);
        out.push(copyJson(backend, object[i], `${path}[${i}]`, depth + 1, ancestors));
      }
      return out;
    }
    if (!isPlainObject(object)) {
      const hint = object instanceof Date ? ": store Dates as ISO strings or epoch milliseconds" : "";
      throw invalidArgument(backend, `${path} is a ${typeName(object)}; records hold JSON${hint}`);
    }
    return copyObject(backend, object, path, depth, ancestors);
  } finally {
    ancestors.delete(object);
  }
}

function copyObject(
  backend: string,
  object: Record<string, unknown>,
  path: string,
  depth: number,
  ancestors: Set<object>,
): Record<string, unknown> {
  if (Object.getOwnPropertySymbols(object).length > 0)
    throw invalidArgument(backend, `${path} has symbol keys; records hold JSON`);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    if (FORBIDDEN_KEYS.has(key))
      throw invalidArgument(backend, `${path} has the key ${JSON.stringify(key)}, which is not allowed`);
    checkText(backend, key, `a key of ${path}`);
    out[key] = copyJson(backend, object[key], `${path}.${key}`, depth + 1, ancestors);
  }
  return out;
}

/**
 * Validates a JSON object (`content`, `metadata`) and returns a deep copy. Accepts plain
 * objects, arrays, well-formed strings without U+0000, finite numbers (`-0` becomes `0`),
 * booleans and `null`, nested up to {@link MAX_JSON_DEPTH}. Rejects with `INVALID_ARGUMENT`
 * `undefined`, array holes, cycles, Dates, bigints, Maps, class instances, symbol keys and
 * the keys `__proto__`, `constructor` and `prototype` at any depth (prototype pollution).
 *
 * @example
 * ```ts
 * validateJsonObject("sqlite", { title: "Hi", tags: ["a"] }, "content"); // a copy
 * validateJsonObject("sqlite", { at: new Date() }, "content");           // throws
 * ```
 */
export function validateJsonObject(backend: string, value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value))
    throw invalidArgument(backend, `${what} must be a JSON object, got ${typeName(value)}; records hold JSON`);
  // Valid input (the common case) skips the error paths; anything else gets the precise error.
  return fastCopyJsonObject(value, MAX_JSON_DEPTH) ?? copyObject(backend, value, what, 1, new Set([value]));
}

/**
 * Validates a layer; `undefined` passes (meaning "any layer" or "the default").
 *
 * @example
 * ```ts
 * normalizeLayer("memory", "gold");     // "gold"
 * normalizeLayer("memory", "platinum"); // throws INVALID_ARGUMENT
 * ```
 */
export function normalizeLayer(backend: string, layer: unknown, what = "layer"): Layer | undefined {
  if (layer === undefined) return undefined;
  if (typeof layer !== "string" || !LAYERS.includes(layer as Layer)) {
    throw invalidArgument(backend, `${what} must be one of ${LAYERS.join(", ")}, got ${describeValue(layer)}`);
  }
  return layer as Layer;
}

/**
 * Validates what a caller stores: `id` and `naturalKey` are keys (see `assertKey`),
 * `layer` defaults to `"bronze"`, `content` and `metadata` (default `{}`) are JSON objects
 * (see {@link validateJsonObject}). `createdAt`, `updatedAt` and `version` are ignored so a
 * record read back can be stored again; any other field is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const r = validateRecordInput("sqlite", { id: "1", naturalKey: "url:1", content: { title: "Hi" } });
 * // { id: "1", naturalKey: "url:1", layer: "bronze", content: { title: "Hi" }, metadata: {} }
 * ```
 */
export function validateRecordInput(backend: string, input: unknown): NormalizedRecordInput {
  if (!isPlainObject(input)) throw invalidArgument(backend, `a record must be a plain object, got ${typeName(input)}`);
  for (const key of Object.keys(input)) {
    if (!RECORD_KEYS.has(key) && !OWNED_KEYS.has(key)) {
      throw invalidArgument(
        backend,
        `unknown record field ${JSON.stringify(key)}; allowed: id, naturalKey, layer, content, metadata`,
      );
    }
  }
  assertKey(backend, input.id);
  assertKey(backend, input.naturalKey);
  return {
    id: input.id,
    naturalKey: input.naturalKey,
    layer: normalizeLayer(backend, input.layer) ?? "bronze",
    content: validateJsonObject(backend, input.content, "content"),
    metadata: input.metadata === undefined ? {} : validateJsonObject(backend, input.metadata, "metadata"),
  };
}

/**
 * Validates a whole batch before anything is written; the message names the bad index.
 *
 * @example
 * ```ts
 * const records = validateRecordBatch("sqlite", input);
 * ```
 */
export function validateRecordBatch(backend: string, input: unknown): NormalizedRecordInput[] {
  if (!Array.isArray(input)) throw invalidArgument(backend, `storeBatch takes an array, got ${typeName(input)}`);
  return input.map((record, i) => {
    try {
      return validateRecordInput(backend, record);
    } catch (err) {
      if (err instanceof Error) err.message = err.message.replace(/^(\[[^\]]*\] )?/, `$1records[${i}]: `);
      throw err;
    }
  });
}

/**
 * Validates `store` options: `expectedVersion` is a non-negative safe integer (0 = the id
 * must not exist yet) or absent.
 *
 * @example
 * ```ts
 * validateStoreOptions("sqlite", { expectedVersion: 3 }); // { expectedVersion: 3 }
 * ```
 */
export function validateStoreOptions(backend: string, options: unknown): { expectedVersion?: number } {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw invalidArgument(backend, "store options must be a plain object");
  checkKeys(backend, options, new Set(["expectedVersion"]), "store option");
  const { expectedVersion } = options;
  if (expectedVersion === undefined) return {};
  if (typeof expectedVersion !== "number" || !Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw invalidArgument(
      backend,
      `expectedVersion must be a non-negative integer, got ${describeValue(expectedVersion)}`,
    );
  }
  return { expectedVersion };
}

/**
 * Validates `storeBatch` options; `onConflict` defaults to `"update"`.
 *
 * @example
 * ```ts
 * validateBatchOptions("sqlite", { onConflict: "skip" }); // { onConflict: "skip" }
 * ```
 */
export function validateBatchOptions(backend: string, options: unknown): { onConflict: OnConflict } {
  if (options === undefined) return { onConflict: "update" };
  if (!isPlainObject(options)) throw invalidArgument(backend, "storeBatch options must be a plain object");
  checkKeys(backend, options, new Set(["onConflict"]), "storeBatch option");
  const { onConflict } = options;
  if (onConflict === undefined) return { onConflict: "update" };
  if (!ON_CONFLICT.has(onConflict as OnConflict)) {
    throw invalidArgument(backend, `onConflict must be "skip", "update" or "error", got ${describeValue(onConflict)}`);
  }
  return { onConflict: onConflict as OnConflict };
}

/**
 * Validates what `recordSighting` takes: `naturalKey` a key, `source` a non-empty string
 * of at most 256 characters, `seenAt` a valid Date (default now, copied), `metadata` a
 * JSON object (default `{}`), `contentHash` a string of at most 1024 characters, `null`
 * or absent. Unknown fields are `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * validateSightingInput("redis", { naturalKey: "url:1", source: "rss" });
 * ```
 */
export function validateSightingInput(backend: string, input: unknown): NormalizedSightingInput {
  if (!isPlainObject(input))
    throw invalidArgument(backend, `a sighting must be a plain object, got ${typeName(input)}`);
  checkKeys(backend, input, SIGHTING_KEYS, "sighting");
  const { naturalKey, source, seenAt, metadata, contentHash } = input;
  assertKey(backend, naturalKey);
  if (typeof source !== "string" || source.length === 0 || source.length > MAX_SOURCE_LENGTH) {
    throw invalidArgument(
      backend,
      `source must be a non-empty string of at most ${MAX_SOURCE_LENGTH} characters, got ${describeValue(source)}`,
    );
  }
  checkText(backend, source, "source");
  if (seenAt !== undefined && (!(seenAt instanceof Date) || Number.isNaN(seenAt.getTime()))) {
    throw invalidArgument(backend, `seenAt must be a valid Date, got ${describeValue(seenAt)}`);
  }
  if (contentHash !== undefined && contentHash !== null) {
    if (typeof contentHash !== "string" || contentHash.length > MAX_CONTENT_HASH_LENGTH) {
      throw invalidArgument(
        backend,
        `contentHash must be a string of at most ${MAX_CONTENT_HASH_LENGTH} characters, got ${describeValue(contentHash)}`,
      );
    }
    checkText(backend, contentHash, "contentHash");
  }
  return {
    naturalKey,
    source,
    seenAt: seenAt === undefined ? new Date() : new Date(seenAt.getTime()),
    metadata: metadata === undefined ? {} : validateJsonObject(backend, metadata, "metadata"),
    contentHash: typeof contentHash === "string" ? contentHash : null,
  };
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
