import { invalidArgument } from "./errors.js";
import { fastCopyJsonObject } from "./json-fast-copy.js";
import { isPlainObject } from "./validation.js";

/**
 * Deepest nesting of `content`/`metadata` (the top object is depth 1). SQLite's JSON
 * functions stop at 1000 and deep documents make PostgreSQL's `jsonb` recurse, so every
 * backend accepts the same, comfortably supported depth.
 *
 * @example
 * ```ts
 * const nested = { a: { b: { c: 1 } } }; // depth 3, far below MAX_JSON_DEPTH
 * ```
 */
export const MAX_JSON_DEPTH = 100;

// Keys that would reach an object's prototype when a backend (or a caller) assigns them.
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Rejects text a record cannot hold: lone surrogates (not valid UTF-16) and U+0000.
 * Used for JSON strings and keys, and for sighting text fields.
 *
 * @example
 * ```ts
 * checkText("sqlite", "hello", "source");  // ok
 * checkText("sqlite", "a\u0000b", "source"); // throws INVALID_ARGUMENT
 * ```
 */
export function checkText(backend: string, text: string, where: string): void {
  if (!text.isWellFormed()) throw invalidArgument(backend, `${where} contains a lone surrogate (not valid UTF-16)`);
  // PostgreSQL text and jsonb cannot hold U+0000, so no backend accepts it.
  if (text.includes("\u0000")) throw invalidArgument(backend, `${where} contains U+0000, which records cannot hold`);
}

/**
 * Names a value's type for error messages: `"null"`, a `typeof`, or a constructor name.
 *
 * @example
 * ```ts
 * typeName(new Map()); // "Map"
 * typeName(null);      // "null"
 * ```
 */
export function typeName(value: unknown): string {
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
