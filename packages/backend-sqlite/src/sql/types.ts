import type { DatabaseType, TypeMapper } from "@core/protocols";
import { asBuffer, checkColumnType, invalidArgument, isPlainObject, sqlParameter } from "@core/protocols/kit";

const BACKEND = "sqlite";
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Turns an integer read with `safeIntegers(true)` into a number when that is exact, so
 * ordinary integers stay numbers and only values beyond 2^53 stay bigint.
 *
 * @example
 * ```ts
 * narrowInteger(5n); // 5
 * ```
 */
export function narrowInteger(value: unknown): unknown {
  return typeof value === "bigint" && value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

/**
 * A parameter better-sqlite3 can bind, for a value of unknown type: booleans → 1/0,
 * Date → ISO-8601 text, Uint8Array → Buffer, arrays and plain objects → JSON text.
 */
function untyped(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "bigint")
    return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidArgument(BACKEND, "cannot bind an invalid Date");
    return value.toISOString();
  }
  if (value instanceof Uint8Array) return asBuffer(value);
  if (Array.isArray(value) || isPlainObject(value)) return JSON.stringify(value);
  throw invalidArgument(
    BACKEND,
    `cannot bind a ${typeof value} (${Object.prototype.toString.call(value)}) as a parameter`,
  );
}

function columnType(type: DatabaseType, params?: { length?: number; precision?: number; scale?: number }): string {
  const p = checkColumnType(BACKEND, type, params ?? {});
  switch (type) {
    case "integer":
    case "bigint":
    case "boolean":
      return "INTEGER";
    case "float":
      return "REAL";
    case "varchar":
      return `VARCHAR(${p.length ?? 255})`;
    case "blob":
      return "BLOB";
    // TEXT affinity on purpose: a NUMERIC/DECIMAL column would turn "1.10" into a lossy REAL.
    default:
      return "TEXT";
  }
}

function toDatabase(value: unknown, type?: DatabaseType): unknown {
  if (value === undefined) throw invalidArgument(BACKEND, "undefined cannot be stored; pass null for SQL NULL");
  if (type === undefined) return untyped(value);
  const bound = sqlParameter(BACKEND, value, type);
  if (bound === null) return null;
  // SQLite has no boolean or datetime storage class: 0/1 and ISO-8601 text.
  if (type === "boolean") return bound ? 1 : 0;
  if (type === "datetime") return (bound as Date).toISOString();
  return bound;
}

function fromDatabase(value: unknown, type: DatabaseType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "integer":
      return Number(value);
    case "bigint":
      return typeof value === "bigint" ? value : BigInt(value as number | string);
    case "float":
      return Number(value);
    case "decimal":
    case "varchar":
    case "text":
    case "date":
    case "time":
    case "uuid":
      return String(value);
    case "datetime":
      return new Date(typeof value === "bigint" ? Number(value) : (value as string | number));
    case "boolean":
      return value !== 0 && value !== 0n && value !== "0";
    case "json":
    case "array":
      return typeof value === "string" ? JSON.parse(value) : value;
    case "blob":
      return value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array(Buffer.from(String(value)));
    default:
      throw invalidArgument(BACKEND, `unknown column type ${JSON.stringify(type)}`);
  }
}

/**
 * SQLite's type mapper. Dates are ISO-8601 text (`datetime`, ms precision, UTC), `date`
 * and `time` text, booleans 0/1, decimals TEXT (exact, compared as text), JSON and arrays
 * JSON text, bigints 64-bit INTEGER.
 *
 * @example
 * ```ts
 * db.types.columnType("datetime");                  // "TEXT"
 * db.types.toDatabase(new Date(0), "datetime");     // "1970-01-01T00:00:00.000Z"
 * db.types.fromDatabase(1, "boolean");              // true
 * ```
 */
export const sqliteTypes: TypeMapper = Object.freeze({ columnType, toDatabase, fromDatabase });
