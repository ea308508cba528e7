import type { Layer, StoredRecord } from "@core/protocols";
import { type SqlColumnField, type SqlJsonField, SqlParams, type SqlRecordDialect } from "@core/protocols/kit";

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

const SORTED = "('true','false','integer','real','text')";

/**
 * Turns a `core_records` row into the record callers see (JSON parsed, times as Dates).
 *
 * @example
 * ```ts
 * const record = toRecord(shared.prepare(BY_ID).get(name, id));
 * ```
 */
export function toRecord(row: Record<string, unknown>): StoredRecord {
  return {
    id: row.id as string,
    naturalKey: row.natural_key as string,
    layer: row.layer as Layer,
    content: JSON.parse(row.content as string),
    metadata: JSON.parse(row.metadata as string),
    createdAt: new Date(row.created_at as number),
    updatedAt: new Date(row.updated_at as number),
    version: row.version as number,
  };
}

/**
 * SQLite's record SQL: `json_type`/`json_extract` over the stored JSON text, BINARY
 * collation (code point order), booleans as 1/0 and dates as epoch milliseconds, `?`
 * placeholders. One sort value holds booleans, numbers and strings alike.
 *
 * @example
 * ```ts
 * const { text, p } = pageSql(sqliteRecordDialect, "feed", query);
 * ```
 */
export const sqliteRecordDialect: SqlRecordDialect = {
  params: () => new SqlParams(() => "?"),
  records: "core_records",
  sightings: "core_sightings",
  select: "id, natural_key, layer, content, metadata, created_at, updated_at, version",
  // Without statistics the planner walks the primary key and filters by layer, reading every
  // record of the other layers; the layer index (ns, layer, id) seeks straight to the page.
  pageHint: (q) => (q.ordering.parsed.root === "id" && q.layer !== undefined ? " INDEXED BY core_records_layer" : ""),
  key: (value) => value,
  toRecord,
  toSighting: (row) => ({
    naturalKey: row.natural_key as string,
    source: row.source as string,
    seenAt: new Date(row.seen_at as number),
    metadata: JSON.parse(row.metadata as string),
    contentHash: row.content_hash as string | null,
  }),
  sortColumn: (field) => COLUMNS[field.root],
  jsonRank: (
    p,
    field,
  ) => `CASE json_type(${field.root}, ${p.add(jsonPath(field.path))}) WHEN 'true' THEN 1 WHEN 'false' THEN 1
    WHEN 'integer' THEN 2 WHEN 'real' THEN 2 WHEN 'text' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 4 ELSE 0 END`,
  jsonSortValues: (p, field) => [sqliteRecordDialect.jsonSortValue(p, field, 1)],
  jsonSortValue: (p, field) =>
    `CASE WHEN ${typeIs(p, field, SORTED)} THEN json_extract(${field.root}, ${p.add(jsonPath(field.path))}) END`,
  jsonSortOperand: (p, _rank, value) => p.add(bind(value as string | number | boolean | Date)),
  // Ties follow the direction, so "after" is one row-value range either way: a seek in the
  // (ns, column, id) index, scanned backwards when descending.
  columnAfter: (p, field, op, value, id) => `(${COLUMNS[field.root]}, id) ${op} (${p.add(bind(value))}, ${p.add(id)})`,
  integer: (p, value) => `CAST(${p.add(value)} AS INTEGER)`,
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
