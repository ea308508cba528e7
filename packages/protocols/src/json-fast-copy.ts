import { isPlainObject } from "./validation.js";

// Thrown (never seen outside this file) when a value needs the full validator's verdict.
const REJECT: unique symbol = Symbol("reject");
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function copyValue(value: unknown, depth: number, maxDepth: number): unknown {
  switch (typeof value) {
    case "string":
      if (!value.isWellFormed() || value.includes("\u0000")) throw REJECT;
      return value;
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw REJECT;
      return value === 0 ? 0 : value;
    case "object":
      break;
    default:
      throw REJECT;
  }
  if (value === null) return null;
  // A cycle nests forever, so it always ends here; the full validator names it.
  if (depth >= maxDepth) throw REJECT;
  if (Array.isArray(value)) {
    // Exact length: a copy is often kept for long, and push would over-allocate.
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw REJECT;
      out[i] = copyValue(value[i], depth + 1, maxDepth);
    }
    return out;
  }
  if (!isPlainObject(value)) throw REJECT;
  return copyObject(value, depth, maxDepth);
}

function copyObject(object: Record<string, unknown>, depth: number, maxDepth: number): Record<string, unknown> {
  if (Object.getOwnPropertySymbols(object).length > 0) throw REJECT;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    if (FORBIDDEN_KEYS.has(key) || !key.isWellFormed() || key.includes("\u0000")) throw REJECT;
    out[key] = copyValue(object[key], depth + 1, maxDepth);
  }
  return out;
}

/**
 * The copy `validateJsonObject` makes of a valid plain object, without building error
 * paths or tracking ancestors: `undefined` for anything the full validator must judge
 * (it then throws the precise error). Internal to @core/protocols.
 *
 * @example
 * ```ts
 * const copy = fastCopyJsonObject(value, MAX_JSON_DEPTH) ?? copyWithErrors(value);
 * ```
 */
export function fastCopyJsonObject(
  object: Record<string, unknown>,
  maxDepth: number,
): Record<string, unknown> | undefined {
  try {
    return copyObject(object, 1, maxDepth);
  } catch (err) {
    if (err === REJECT) return undefined;
    throw err;
  }
}
