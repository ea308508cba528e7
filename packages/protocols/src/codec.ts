import { BackendError, invalidArgument } from "./errors.js";
import { isPlainObject } from "./validation.js";

/**
 * Turns values into text and back. Backends store `encode`'s output and hand `decode`'s
 * result to callers, so a codec decides which values round-trip.
 *
 * @example
 * ```ts
 * const cache = backend.cache("s", { codec: { name: "json", encode: JSON.stringify, decode: JSON.parse } });
 * ```
 */
export interface Codec {
  readonly name: string;
  /** Throws `INVALID_ARGUMENT` for a value it cannot represent. */
  encode(value: unknown): string;
  /** Throws `CORRUPTION` for text it did not produce. */
  decode(text: string): unknown;
}

// Tagged JSON. Special values become {"$":tag,"v":…}; a plain object that itself has a
// "$" key is escaped as {"$":"o","v":[[k,v],…]} so user data can never be mistaken for a
// tag. JSON.stringify alone drops undefined, functions and symbols silently and turns Dates
// into strings; JSON libraries that keep types (superjson, devalue) either lack bytes or
// accept cycles, which the contract rejects — hence this small walker (see BENCHMARKS.md).
const TAG = "$";

function fail(message: string): never {
  throw invalidArgument("codec", message);
}

function toTagged(value: unknown, ancestors: unknown[]): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [TAG]: "n", v: String(Object.is(value, -0) ? "-0" : value) };
    case "bigint":
      return { [TAG]: "b", v: value.toString() };
    case "undefined":
      return { [TAG]: "u" };
    case "function":
      return fail("functions cannot be stored");
    case "symbol":
      return fail("symbols cannot be stored");
  }
  if (value === null) return null;
  if (ancestors.includes(value)) fail("the value contains a cycle");
  ancestors.push(value);
  try {
    return toTaggedObject(value as object, ancestors);
  } finally {
    ancestors.pop();
  }
}

function toTaggedObject(value: object, ancestors: unknown[]): unknown {
  // JSON would drop symbol keys silently; the contract says symbols are rejected.
  if ((Array.isArray(value) || isPlainObject(value)) && Object.getOwnPropertySymbols(value).length > 0)
    fail("symbol-keyed properties cannot be stored");
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toTagged(value[i], ancestors);
    return out;
  }
  if (isPlainObject(value)) {
    if (Object.hasOwn(value, TAG)) {
      return { [TAG]: "o", v: Object.entries(value).map(([k, v]) => [k, toTagged(v, ancestors)]) };
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const tagged = toTagged(value[key], ancestors);
      if (key === "__proto__")
        Object.defineProperty(out, key, {
          value: tagged,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = tagged;
    }
    return out;
  }
  if (value instanceof Date) {
    const time = value.getTime();
    return { [TAG]: "d", v: Number.isNaN(time) ? null : value.toISOString() };
  }
  if (value instanceof Uint8Array) {
    return {
      [TAG]: "y",
      v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64"),
    };
  }
  if (value instanceof Map) {
    return {
      [TAG]: "m",
      v: Array.from(value, ([k, v]) => [toTagged(k, ancestors), toTagged(v, ancestors)]),
    };
  }
  if (value instanceof Set) {
    return { [TAG]: "s", v: Array.from(value, (v) => toTagged(v, ancestors)) };
  }
  return fail(
    `values of type ${value.constructor?.name ?? "object"} cannot be stored; use plain objects, arrays, Date, Uint8Array, bigint, Map or Set`,
  );
}

// Depth past which the fast path gives up and lets the tagging walk (which detects cycles)
// decide: a cyclic value would otherwise recurse here until the stack overflows.
const PLAIN_DEPTH_LIMIT = 32;

/**
 * Whether JSON.stringify alone encodes `value` exactly as the tagging walk would: only
 * strings, booleans, null, finite numbers other than -0, arrays without holes and plain
 * objects without a "$" or "__proto__" key or symbol keys. Most stored values are such
 * plain JSON, and checking costs less than building the tagged copy (~40% of an encode).
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > PLAIN_DEPTH_LIMIT) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return Object.getOwnPropertySymbols(value).length === 0;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (key === TAG || key === "__proto__" || !Object.hasOwn(record, key)) return false;
    if (!isPlainJson(record[key], depth + 1)) return false;
  }
  return Object.getOwnPropertySymbols(value).length === 0;
}

function fromTagged(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromTagged(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  const tag = record[TAG];
  if (typeof tag === "string") return fromTag(tag, record.v);
  for (const key of Object.keys(record)) record[key] = fromTagged(record[key]);
  return record;
}

function corrupt(message: string, cause?: unknown): BackendError {
  return new BackendError("CORRUPTION", message, { backend: "codec", cause });
}

const SPECIAL_NUMBERS: Readonly<Record<string, number>> = {
  "-0": -0,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

function isPairList(v: unknown): v is [unknown, unknown][] {
  return Array.isArray(v) && v.every((pair) => Array.isArray(pair) && pair.length === 2);
}

function fromTag(tag: string, v: unknown): unknown {
  switch (tag) {
    case "n":
      if (typeof v !== "string" || !Object.hasOwn(SPECIAL_NUMBERS, v)) break;
      return SPECIAL_NUMBERS[v];
    case "b":
      if (typeof v !== "string" || !/^-?\d+$/.test(v)) break;
      return BigInt(v);
    case "u":
      return undefined;
    case "d": {
      if (v !== null && typeof v !== "string") break;
      const date = new Date(v === null ? Number.NaN : v);
      if (v !== null && Number.isNaN(date.getTime())) break;
      return date;
    }
    case "y":
      if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) break;
      return new Uint8Array(Buffer.from(v, "base64"));
    case "m":
      if (!isPairList(v)) break;
      return new Map(v.map(([k, x]) => [fromTagged(k), fromTagged(x)]));
    case "s":
      if (!Array.isArray(v)) break;
      return new Set(v.map(fromTagged));
    case "o": {
      if (!isPairList(v) || !v.every(([k]) => typeof k === "string")) break;
      const out: Record<string, unknown> = {};
      for (const [k, x] of v as [string, unknown][]) {
        Object.defineProperty(out, k, {
          value: fromTagged(x),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    default:
      throw corrupt(`unknown codec tag ${JSON.stringify(tag)}`);
  }
  throw corrupt(`malformed value for codec tag ${JSON.stringify(tag)}`);
}

/**
 * The default codec: JSON text that round-trips `Date`, `Uint8Array` (and `Buffer`, read
 * back as `Uint8Array`), `bigint`, `Map`, `Set`, `undefined`, `NaN`, `±Infinity` and `-0`,
 * nested to any depth. Functions, symbols, cycles and class instances are rejected with
 * `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const text = defaultCodec.encode({ at: new Date(0), tags: new Set(["a"]) });
 * defaultCodec.decode(text); // { at: Date(0), tags: Set {"a"} }
 * ```
 */
export const defaultCodec: Codec = Object.freeze({
  name: "tagged-json",
  encode(value: unknown): string {
    try {
      return JSON.stringify(isPlainJson(value, 0) ? value : toTagged(value, []));
    } catch (cause) {
      // Stack overflow on absurdly deep values, or a string longer than V8 allows.
      if (cause instanceof RangeError)
        throw new BackendError("INVALID_ARGUMENT", "value is too deeply nested or too large to store", {
          backend: "codec",
          cause,
        });
      throw cause;
    }
  },
  decode(text: string): unknown {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw corrupt("stored value is not valid JSON", cause);
    }
    // Tags only ever appear as `"$":`; skip the walk for the common untagged case.
    if (!text.includes('"$":')) return parsed;
    try {
      return fromTagged(parsed);
    } catch (cause) {
      if (cause instanceof BackendError) throw cause;
      throw corrupt("stored value has malformed codec tags", cause);
    }
  },
});
