import { invalidArgument } from "./errors.js";
import { checkText, typeName, validateJsonObject } from "./record-json.js";
import { preservedTimestamps } from "./record-timestamps.js";
import { LAYERS, type Layer, type OnConflict } from "./records.js";
import { assertKey, checkKeys, describeValue, isPlainObject } from "./validation.js";

/**
 * Longest sighting `source`, in characters.
 *
 * @example
 * ```ts
 * const source = feedUrl.slice(0, MAX_SOURCE_LENGTH);
 * ```
 */
export const MAX_SOURCE_LENGTH = 256;
/**
 * Longest sighting `contentHash`, in characters.
 *
 * @example
 * ```ts
 * const ok = hash.length <= MAX_CONTENT_HASH_LENGTH;
 * ```
 */
export const MAX_CONTENT_HASH_LENGTH = 1024;

const RECORD_KEYS = new Set(["id", "naturalKey", "layer", "content", "metadata"]);
// A StoredRecord read back may be stored again: the store owns these, so they are ignored.
const OWNED_KEYS = new Set(["createdAt", "updatedAt", "version"]);
const SIGHTING_KEYS = new Set(["naturalKey", "source", "seenAt", "metadata", "contentHash"]);
const ON_CONFLICT = new Set<OnConflict>(["skip", "update", "error"]);
const STORE_OPTIONS = new Set(["expectedVersion", "preserveTimestamps"]);
const BATCH_OPTIONS = new Set(["onConflict", "preserveTimestamps"]);
const PROMOTE_OPTIONS = new Set(["expectedVersion"]);

/**
 * A validated record: fresh deep copies of `content` and `metadata`, defaults applied.
 * `createdAt` and `updatedAt` are present only when the write preserves the caller's
 * timestamps: the driver then stores exactly them (both, on insert and on update).
 */
export interface NormalizedRecordInput {
  id: string;
  naturalKey: string;
  layer: Layer;
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
  createdAt?: Date;
  updatedAt?: Date;
}

/** A validated sighting, defaults applied (`seenAt` now, `metadata` `{}`, `contentHash` null). */
export interface NormalizedSightingInput {
  naturalKey: string;
  source: string;
  seenAt: Date;
  metadata: Record<string, unknown>;
  contentHash: string | null;
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
 * record read back can be stored again — unless `preserveTimestamps`: then `createdAt` and
 * `updatedAt` are required and checked (dates or ISO 8601 strings with a time zone, `updatedAt` not before `createdAt`). Any other field
 * is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const r = validateRecordInput("sqlite", { id: "1", naturalKey: "url:1", content: { title: "Hi" } });
 * // { id: "1", naturalKey: "url:1", layer: "bronze", content: { title: "Hi" }, metadata: {} }
 * ```
 */
export function validateRecordInput(
  backend: string,
  input: unknown,
  preserveTimestamps = false,
): NormalizedRecordInput {
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
  const record: NormalizedRecordInput = {
    id: input.id,
    naturalKey: input.naturalKey,
    layer: normalizeLayer(backend, input.layer) ?? "bronze",
    content: validateJsonObject(backend, input.content, "content"),
    metadata: input.metadata === undefined ? {} : validateJsonObject(backend, input.metadata, "metadata"),
  };
  if (!preserveTimestamps) return record;
  const { createdAt, updatedAt } = preservedTimestamps(backend, input);
  record.createdAt = createdAt;
  record.updatedAt = updatedAt;
  return record;
}

/**
 * Validates a whole batch before anything is written; the message names the bad index.
 *
 * @example
 * ```ts
 * const records = validateRecordBatch("sqlite", input);
 * ```
 */
export function validateRecordBatch(
  backend: string,
  input: unknown,
  preserveTimestamps = false,
): NormalizedRecordInput[] {
  if (!Array.isArray(input)) throw invalidArgument(backend, `storeBatch takes an array, got ${typeName(input)}`);
  return input.map((record, i) => {
    try {
      return validateRecordInput(backend, record, preserveTimestamps);
    } catch (err) {
      if (err instanceof Error) err.message = err.message.replace(/^(\[[^\]]*\] )?/, `$1records[${i}]: `);
      throw err;
    }
  });
}

function checkPreserve(backend: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw invalidArgument(backend, `preserveTimestamps must be a boolean, got ${describeValue(value)}`);
  }
  return value;
}

function checkVersion(backend: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    const what = min === 0 ? "a non-negative integer" : `an integer of at least ${min}`;
    throw invalidArgument(backend, `expectedVersion must be ${what}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Validates `store` options: `expectedVersion` is a non-negative safe integer (0 = the id
 * must not exist yet) or absent; `preserveTimestamps` a boolean (default false).
 *
 * @example
 * ```ts
 * validateStoreOptions("sqlite", { expectedVersion: 3 }); // { expectedVersion: 3, preserveTimestamps: false }
 * ```
 */
export function validateStoreOptions(
  backend: string,
  options: unknown,
): { expectedVersion?: number; preserveTimestamps: boolean } {
  if (options === undefined) return { preserveTimestamps: false };
  if (!isPlainObject(options)) throw invalidArgument(backend, "store options must be a plain object");
  checkKeys(backend, options, STORE_OPTIONS, "store option");
  const preserveTimestamps = checkPreserve(backend, options.preserveTimestamps);
  const expectedVersion = checkVersion(backend, options.expectedVersion, 0);
  return expectedVersion === undefined ? { preserveTimestamps } : { expectedVersion, preserveTimestamps };
}

/**
 * Validates `promote` arguments: `toLayer` is a layer (required), `expectedVersion` a
 * safe integer ≥ 1 (a record that exists has version 1 or more) or absent.
 *
 * @example
 * ```ts
 * validatePromote("sqlite", "gold", { expectedVersion: 2 }); // { toLayer: "gold", expectedVersion: 2 }
 * ```
 */
export function validatePromote(
  backend: string,
  toLayer: unknown,
  options: unknown,
): { toLayer: Layer; expectedVersion?: number } {
  if (toLayer === undefined)
    throw invalidArgument(backend, `toLayer must be one of ${LAYERS.join(", ")}, got undefined`);
  const layer = normalizeLayer(backend, toLayer, "toLayer") as Layer;
  if (options === undefined) return { toLayer: layer };
  if (!isPlainObject(options)) throw invalidArgument(backend, "promote options must be a plain object");
  checkKeys(backend, options, PROMOTE_OPTIONS, "promote option");
  const expectedVersion = checkVersion(backend, options.expectedVersion, 1);
  return expectedVersion === undefined ? { toLayer: layer } : { toLayer: layer, expectedVersion };
}

/**
 * Validates `storeBatch` options; `onConflict` defaults to `"update"`, `preserveTimestamps`
 * to false.
 *
 * @example
 * ```ts
 * validateBatchOptions("sqlite", { onConflict: "skip" }); // { onConflict: "skip", preserveTimestamps: false }
 * ```
 */
export function validateBatchOptions(
  backend: string,
  options: unknown,
): { onConflict: OnConflict; preserveTimestamps: boolean } {
  if (options === undefined) return { onConflict: "update", preserveTimestamps: false };
  if (!isPlainObject(options)) throw invalidArgument(backend, "storeBatch options must be a plain object");
  checkKeys(backend, options, BATCH_OPTIONS, "storeBatch option");
  const preserveTimestamps = checkPreserve(backend, options.preserveTimestamps);
  const { onConflict } = options;
  if (onConflict === undefined) return { onConflict: "update", preserveTimestamps };
  if (!ON_CONFLICT.has(onConflict as OnConflict)) {
    throw invalidArgument(backend, `onConflict must be "skip", "update" or "error", got ${describeValue(onConflict)}`);
  }
  return { onConflict: onConflict as OnConflict, preserveTimestamps };
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
