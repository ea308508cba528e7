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

function fromTag(tag: string, v: unknown): unknown {
  switch (tag) {
    case "n":
      return v === "-0" ? -0 : Number(v);
    case "b":
      return BigInt(v as string);
    case "u":
      return undefined;
    case "d":
      return new Date(v === null ? Number.NaN : (v as string));
    case "y":
      return new Uint8Array(Buffer.from(v as string, "base64"));
    case "m":
      return new Map((v as [unknown, unknown][]).map(([k, x]) => [fromTagged(k), fromTagged(x)]));
    case "s":
      return new Set((v as unknown[]).map(fromTagged));
    case "o": {
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
      throw new BackendError("CORRUPTION", `unknown codec tag ${JSON.stringify(tag)}`, {
        backend: "codec",
      });
  }
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
    return JSON.stringify(toTagged(value, []));
  },
  decode(text: string): unknown {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new BackendError("CORRUPTION", "stored value is not valid JSON", {
        backend: "codec",
        cause,
      });
    }
    // Tags only ever appear as `"$":`; skip the walk for the common untagged case.
    return text.includes('"$":') ? fromTagged(parsed) : parsed;
  },
});
