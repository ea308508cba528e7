import type { SqlColumnField, SqlDialect, SqlJsonField, SqlParams } from "@core/protocols/kit";

const COLUMNS: Record<SqlColumnField["root"], string> = {
  id: "id",
  naturalKey: "natural_key",
  layer: "layer",
  createdAt: "created_at",
  updatedAt: "updated_at",
};

// json_type() names per JSON kind (a missing path gives NULL, JSON null gives 'null').
const JSON_TYPES = { string: "('text')", number: "('integer','real')", boolean: "('true','false')" } as const;

/**
 * The JSON path of a content/metadata field: `$."a"."b"` (segments are validated `[A-Za-z0-9_-]`).
 *
 * @example
 * ```ts
 * jsonPath(["author", "name"]); // '$."author"."name"'
 * ```
 */
export function jsonPath(path: readonly string[]): string {
  return `$${path.map((segment) => `."${segment}"`).join("")}`;
}

/** Booleans are stored and extracted as 1/0, dates as epoch milliseconds. */
function bind(value: string | number | boolean | Date): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}

function typeIs(p: SqlParams, field: SqlJsonField, types: string): string {
  return `json_type(${field.root}, ${p.add(jsonPath(field.path))}) IN ${types}`;
}

// Strings starting with `prefix`, compared as UTF-8 bytes (exact even with U+0000). The
// caller handles the empty prefix (an empty Buffer would bind as NULL).
function bytesStartWith(p: SqlParams, expr: string, prefix: string): string {
  const bytes = Buffer.from(prefix, "utf8");
  return `substr(CAST(${expr} AS BLOB), 1, ${p.add(bytes.length)}) = ${p.add(bytes)}`;
}

/**
 * SQLite's record filter SQL: `json_type`/`json_extract` over the stored JSON text,
 * BINARY collation (code point order), booleans as 1/0 and dates as epoch milliseconds.
 *
 * @example
 * ```ts
 * const p = new SqlParams(() => "?");
 * const where = whereSql(sqliteRecordDialect, p, "feed", undefined, conditions);
 * ```
 */
export const sqliteRecordDialect: SqlDialect = {
  true: "1",
  false: "0",
  column: (name) => name,
  columnCompare: (p, field, op, value) => `${COLUMNS[field.root]} ${op} ${p.add(bind(value))}`,
  columnIn: (p, field, values) => `(${values.map((v) => `${COLUMNS[field.root]} = ${p.add(bind(v))}`).join(" OR ")})`,
  columnPrefix: (p, field, prefix) => (prefix === "" ? "1" : bytesStartWith(p, COLUMNS[field.root], prefix)),
  jsonPresent: (p, field) => `coalesce(json_type(${field.root}, ${p.add(jsonPath(field.path))}), 'null') <> 'null'`,
  jsonAbsent: (p, field) => `NOT (${sqliteRecordDialect.jsonPresent(p, field)})`,
  jsonCompare: (p, field, op, value, kind) =>
    `(${typeIs(p, field, JSON_TYPES[kind])} AND json_extract(${field.root}, ${p.add(jsonPath(field.path))}) ${op} ${p.add(bind(value))})`,
  jsonIn(p, field, values) {
    const kind = (v: string | number | boolean) => typeof v as "string" | "number" | "boolean";
    return `(${values.map((v) => sqliteRecordDialect.jsonCompare(p, field, "=", v, kind(v))).join(" OR ")})`;
  },
  jsonPrefix(p, field, prefix) {
    const type = typeIs(p, field, JSON_TYPES.string);
    if (prefix === "") return `(${type})`;
    return `(${type} AND ${bytesStartWith(p, `json_extract(${field.root}, ${p.add(jsonPath(field.path))})`, prefix)})`;
  },
};
