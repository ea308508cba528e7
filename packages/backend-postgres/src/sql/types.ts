import type { DatabaseType, TypeMapper } from "@core/protocols";
import { asBuffer, checkColumnType, invalidArgument, sqlParameter } from "@core/protocols/kit";

const BACKEND = "postgres";

/** The slice of pg's `types` a query config takes. */
export interface PgTypeParsers {
  getTypeParser(oid: number, format?: string): (value: string) => unknown;
}

const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;
const DATE_ARRAY = 1182;
const BYTEA = 17;
const TEXT_ARRAY = 1009;

let parsers: Promise<PgTypeParsers> | undefined;

/**
 * Per-query type parsers (pg's global parsers are never touched): int8 → bigint, numeric →
 * string, date → `"YYYY-MM-DD"` string, timestamptz → Date, bytea → Uint8Array, json/jsonb
 * parsed; everything else as pg parses it by default.
 *
 * @example
 * ```ts
 * await pool.query({ text, values, types: await postgresTypeParsers() });
 * ```
 */
export function postgresTypeParsers(): Promise<PgTypeParsers> {
  parsers ??= import("pg").then((mod) => {
    // pg's TypeId enum lacks array oids; the registry takes any oid.
    const defaults = mod.default.types as unknown as PgTypeParsers;
    const textArray = defaults.getTypeParser(TEXT_ARRAY, "text") as (v: string) => string[];
    const byteaParser = defaults.getTypeParser(BYTEA, "text") as (v: string) => Buffer;
    const own: Record<number, (value: string) => unknown> = {
      [INT8]: (v) => BigInt(v),
      [INT8_ARRAY]: (v) => textArray(v).map((s) => (s === null ? null : BigInt(s))),
      [DATE]: (v) => v,
      [DATE_ARRAY]: (v) => textArray(v),
      [BYTEA]: (v) => new Uint8Array(byteaParser(v)),
    };
    return {
      getTypeParser(oid: number, format: string = "text") {
        const parser = format === "text" ? own[oid] : undefined;
        return parser ?? defaults.getTypeParser(oid, format);
      },
    };
  });
  return parsers;
}

function columnType(type: DatabaseType, params?: { length?: number; precision?: number; scale?: number }): string {
  const p = checkColumnType(BACKEND, type, params ?? {});
  switch (type) {
    case "integer":
      return "integer";
    case "bigint":
      return "bigint";
    case "float":
      return "double precision";
    case "decimal":
      if (p.precision === undefined) return "numeric";
      return `numeric(${p.precision}, ${p.scale ?? 0})`;
    case "varchar":
      return `varchar(${p.length ?? 255})`;
    case "text":
      return "text";
    case "date":
      return "date";
    case "time":
      return "time";
    case "datetime":
      // Millisecond precision, like a JS Date, so values compare equal after a round trip.
      return "timestamptz(3)";
    case "boolean":
      return "boolean";
    case "json":
    // jsonb rather than a native array: the element type is unknown, and mixed arrays round-trip.
    case "array":
      return "jsonb";
    case "uuid":
      return "uuid";
    case "blob":
      return "bytea";
    default:
      throw invalidArgument(BACKEND, `unknown column type ${JSON.stringify(type)}`);
  }
}

function toDatabase(value: unknown, type?: DatabaseType): unknown {
  if (value === undefined) throw invalidArgument(BACKEND, "undefined cannot be stored; pass null for SQL NULL");
  if (type === undefined) {
    if (typeof value === "bigint") return value.toString();
    if (value instanceof Uint8Array) return asBuffer(value);
    if (typeof value === "function" || typeof value === "symbol") {
      throw invalidArgument(BACKEND, `cannot bind a ${typeof value} as a parameter`);
    }
    return value;
  }
  const bound = sqlParameter(BACKEND, value, type);
  // Sent as decimal text: pg parses it into the column type without a float detour.
  return type === "bigint" && bound !== null ? (bound as bigint).toString() : bound;
}

function isoDate(value: Date): string {
  const y = value.getFullYear().toString().padStart(4, "0");
  return `${y}-${String(value.getMonth() + 1).padStart(2, "0")}-${String(value.getDate()).padStart(2, "0")}`;
}

function fromDatabase(value: unknown, type: DatabaseType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "integer":
    case "float":
      return Number(value);
    case "bigint":
      return typeof value === "bigint" ? value : BigInt(value as string | number);
    case "decimal":
    case "varchar":
    case "text":
    case "time":
    case "uuid":
      return String(value);
    case "date":
      // pg's default parser (when someone else ran the query) gives a local-midnight Date.
      return value instanceof Date ? isoDate(value) : String(value);
    case "datetime":
      return value instanceof Date ? value : new Date(value as string);
    case "boolean":
      return value === true || value === "t" || value === "true";
    case "json":
    case "array":
      // json/jsonb arrive parsed; a string here is a JSON string value, not JSON text.
      return value;
    case "blob":
      return value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array(Buffer.from(String(value)));
    default:
      throw invalidArgument(BACKEND, `unknown column type ${JSON.stringify(type)}`);
  }
}

/**
 * PostgreSQL's type mapper: native types (`timestamptz(3)`, `numeric(p, s)`, `jsonb`,
 * `uuid`, `bytea`), arrays as jsonb. Values come back as on every dialect: bigint as
 * bigint, decimal as string, Date, boolean, parsed JSON, Uint8Array.
 *
 * @example
 * ```ts
 * db.types.columnType("decimal", { precision: 12, scale: 2 }); // "numeric(12, 2)"
 * db.types.toDatabase({ a: 1 }, "json");                      // '{"a":1}'
 * ```
 */
export const postgresTypes: TypeMapper = Object.freeze({ columnType, toDatabase, fromDatabase });
