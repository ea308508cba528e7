import { invalidArgument } from "./errors.js";
import type { DatabaseType } from "./sql.js";

/**
 * Every portable column type, in a stable order.
 *
 * @example
 * ```ts
 * for (const type of DATABASE_TYPES) console.log(type);
 * ```
 */
export const DATABASE_TYPES: readonly DatabaseType[] = Object.freeze([
  "integer",
  "bigint",
  "float",
  "decimal",
  "varchar",
  "text",
  "date",
  "time",
  "datetime",
  "boolean",
  "json",
  "array",
  "uuid",
  "blob",
]);

/** Column type parameters after validation. */
export interface ColumnParams {
  length?: number;
  precision?: number;
  scale?: number;
}

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,6})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function positiveInt(backend: string, what: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw invalidArgument(backend, `${what} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Rejects an unknown portable type or bad `{ length, precision, scale }` with
 * `INVALID_ARGUMENT`; shared by every dialect's `columnType`.
 *
 * @example
 * ```ts
 * const p = checkColumnType("sqlite", "decimal", { precision: 38, scale: 9 });
 * ```
 */
export function checkColumnType(backend: string, type: unknown, params: unknown = {}): ColumnParams {
  if (!DATABASE_TYPES.includes(type as DatabaseType)) {
    throw invalidArgument(
      backend,
      `unknown column type ${JSON.stringify(type)}; use one of ${DATABASE_TYPES.join(", ")}`,
    );
  }
  if (params === null || typeof params !== "object")
    throw invalidArgument(backend, "column type params must be an object");
  const p = params as ColumnParams;
  const out: ColumnParams = {};
  const length = positiveInt(backend, "length", p.length, 1);
  const precision = positiveInt(backend, "precision", p.precision, 1);
  const scale = positiveInt(backend, "scale", p.scale, 0);
  if (length !== undefined) out.length = length;
  if (precision !== undefined) out.precision = precision;
  if (scale !== undefined) {
    if (precision === undefined || scale > precision) throw invalidArgument(backend, "scale needs a precision ≥ scale");
    out.scale = scale;
  }
  return out;
}

function validDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function fail(backend: string, type: DatabaseType, value: unknown, hint: string): never {
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw invalidArgument(backend, `a ${type} value must be ${hint}, got ${shown}`);
}

/**
 * Validates a JS value for a portable type and returns its canonical form, the one every
 * dialect's `fromDatabase` gives back: integer → number, bigint → bigint, float → number,
 * decimal → string, varchar/text → string, date → `"YYYY-MM-DD"`, time → `"HH:MM:SS[.ffffff]"`,
 * datetime → Date, boolean → boolean, json → the value, array → the array, uuid →
 * lower-case string, blob → Uint8Array. `null`/`undefined` give `null`.
 *
 * @example
 * ```ts
 * canonicalSqlValue("postgres", 5, "bigint"); // 5n
 * canonicalSqlValue("sqlite", new Date(0), "date"); // "1970-01-01"
 * ```
 */
export function canonicalSqlValue(backend: string, value: unknown, type: DatabaseType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "integer":
      if (
        typeof value === "bigint" &&
        value >= BigInt(Number.MIN_SAFE_INTEGER) &&
        value <= BigInt(Number.MAX_SAFE_INTEGER)
      ) {
        return Number(value);
      }
      if (typeof value === "number" && Number.isSafeInteger(value)) return value;
      return fail(backend, type, value, "a safe integer (use bigint beyond 2^53)");
    case "bigint":
      if (typeof value === "bigint") return value;
      if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
      if (typeof value === "string" && /^[+-]?\d+$/.test(value)) return BigInt(value);
      return fail(backend, type, value, "a bigint or an integer");
    case "float":
      if (typeof value === "number" && !Number.isNaN(value)) return value;
      return fail(backend, type, value, "a number (not NaN)");
    case "decimal":
      if (typeof value === "string" && DECIMAL.test(value)) return value;
      if (typeof value === "bigint") return value.toString();
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      return fail(backend, type, value, 'a decimal string such as "12.50"');
    case "varchar":
    case "text":
      if (typeof value === "string") return value;
      return fail(backend, type, value, "a string");
    case "date": {
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
      const m = typeof value === "string" ? DATE.exec(value) : null;
      if (m && validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return value;
      return fail(backend, type, value, 'a "YYYY-MM-DD" string or a Date');
    }
    case "time":
      if (typeof value === "string" && TIME.test(value)) return value;
      return fail(backend, type, value, 'a "HH:MM:SS[.ffffff]" string');
    case "datetime": {
      const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
      if (date && !Number.isNaN(date.getTime())) return date;
      return fail(backend, type, value, "a valid Date");
    }
    case "boolean":
      if (typeof value === "boolean") return value;
      return fail(backend, type, value, "a boolean");
    case "json":
      try {
        if (JSON.stringify(value) !== undefined) return value;
      } catch {
        // bigint and cycles land here
      }
      return fail(backend, type, value, "JSON-serialisable");
    case "array":
      if (Array.isArray(value)) return canonicalSqlValue(backend, value, "json");
      return fail(backend, type, value, "an array");
    case "uuid":
      if (typeof value === "string" && UUID.test(value)) return value.toLowerCase();
      return fail(backend, type, value, "a UUID string");
    case "blob":
      if (value instanceof Uint8Array) return value;
      return fail(backend, type, value, "a Uint8Array");
    default:
      throw invalidArgument(backend, `unknown column type ${JSON.stringify(type)}`);
  }
}

/**
 * A typed value in the form Node SQL drivers bind: {@link canonicalSqlValue}, then JSON and
 * array values as JSON text and blobs as a `Buffer` (no copy). What differs per dialect
 * (a bigint as text for pg, a boolean as 0/1 for SQLite) is the caller's, on the result.
 *
 * @example
 * ```ts
 * sqlParameter("postgres", { a: 1 }, "json"); // '{"a":1}'
 * sqlParameter("sqlite", null, "blob"); // null
 * ```
 */
export function sqlParameter(backend: string, value: unknown, type: DatabaseType): unknown {
  const canonical = canonicalSqlValue(backend, value, type);
  if (canonical === null) return null;
  if (type === "json" || type === "array") return JSON.stringify(canonical);
  if (type === "blob") return asBuffer(canonical as Uint8Array);
  return canonical;
}

/**
 * The bytes as a `Buffer` over the same memory (drivers bind Buffers, not every view).
 *
 * @example
 * ```ts
 * asBuffer(new Uint8Array([1, 2])); // <Buffer 01 02>
 * ```
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
