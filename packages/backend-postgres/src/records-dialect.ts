import type { Layer } from "@core/protocols";
import {
  type SqlColumnField,
  type SqlDialect,
  type SqlJsonField,
  type SqlJsonKind,
  SqlParams,
  type SqlRecordDialect,
  type SqlSortRank,
} from "@core/protocols/kit";
import { decodeKey, encodeKey } from "./keys.js";

/**
 * `$n` parameters of one record statement.
 *
 * @example
 * ```ts
 * const p = new Params();
 * const sql = `r.id = ${p.add("x")}`; // "r.id = $1", p.values = ["x"]
 * ```
 */
export class Params extends SqlParams {
  /**
   * False once an array operand was added: the statement then runs unprepared, because a
   * generic plan would test `= ANY($n)` element by element on every row.
   */
  preparable = true;

  constructor() {
    super((n) => `$${n}`);
  }

  /** {@link SqlParams.add} for an array matched with `= ANY(…)`. */
  addList(value: unknown[]): string {
    this.preparable = false;
    return this.add(value);
  }
}

const ID: SqlColumnField = { root: "id", kind: "string" };

const COLUMNS: Record<SqlColumnField["root"], string> = {
  id: "r.id",
  naturalKey: "r.natural_key",
  layer: "r.layer",
  createdAt: "r.created_at",
  updatedAt: "r.updated_at",
};

// A top-level record column: its SQL, the cast of its operands and the expression that
// compares strings by code point.
function recordColumn(field: SqlColumnField): { expr: string; cast: string; ordered: string } {
  const expr = COLUMNS[field.root];
  return field.kind === "date"
    ? { expr, cast: "timestamptz", ordered: expr }
    : { expr, cast: "text", ordered: `${expr} COLLATE "C"` };
}

// id and naturalKey are stored escaped (see keys.ts); their operands are escaped alike.
function operand(field: SqlColumnField, value: string | Date): string | Date {
  return typeof value === "string" && (field.root === "id" || field.root === "naturalKey") ? encodeKey(value) : value;
}

// The JSON value at a content/metadata path. `->` with a text key never indexes an array,
// so "tags.0" is missing like everywhere else; the path travels as parameters.
function jsonValue(p: SqlParams, field: SqlJsonField): string {
  return `(r.${field.root}${field.path.map((segment) => ` -> ${p.add(segment)}::text`).join("")})`;
}

// `{"a":{"b":value}}` for the path a.b: contained in a document exactly when a.b equals
// value (a scalar is never contained in a nested array, unlike at the top level).
function containment(path: readonly string[], value: string | number | boolean): string {
  let json = JSON.stringify(value);
  for (let i = path.length - 1; i >= 0; i--) json = `{${JSON.stringify(path[i])}:${json}}`;
  return json;
}

// Equality with a scalar is containment alone: `{"a":{"b":v}}` is contained exactly when a.b
// equals v (jsonb compares numbers by value either way, and a scalar is never contained in
// a nested array), and it is what the column's GIN index serves. A second, exact test would
// be redundant and worse: the planner multiplies the two estimates (1% × 0.5%), so a common
// value looks rare and a page sorts every match instead of walking the ordering's index.
// How common a value is decides the plan (walk the ordering and filter, or GIN bitmap and
// sort), so the statement runs unprepared: a generic plan cannot see the value.
function jsonEquals(p: Params, field: SqlJsonField, value: string | number | boolean): string {
  p.preparable = false;
  return `(r.${field.root} @> ${p.add(containment(field.path, value))}::jsonb)`;
}

const present = (v: string) => `(${v} IS NOT NULL AND jsonb_typeof(${v}) <> 'null')`;
const typed = (v: string, kind: SqlJsonKind) => `jsonb_typeof(${v}) = '${kind}'`;

// Sort values by rank: one typed expression each (jsonb compares across types otherwise).
const SORT: Record<SqlSortRank, { kind: SqlJsonKind; value: (v: string) => string; cast: string }> = {
  1: { kind: "boolean", value: (v) => `(${v})::boolean`, cast: "boolean" },
  2: { kind: "number", value: (v) => `(${v})::numeric`, cast: "numeric" },
  3: { kind: "string", value: (v) => `${v} #>> '{}'`, cast: "text" },
};
const sortValue = (v: string, rank: SqlSortRank) =>
  `(CASE WHEN ${typed(v, SORT[rank].kind)} THEN ${SORT[rank].value(v)} END)${rank === 3 ? ' COLLATE "C"' : ""}`;

// PostgreSQL's record filter SQL (`jsonb`, `COLLATE "C"`, `= ANY` over array parameters);
// equality on content/metadata is a `@>` containment test the column's GIN index serves.
const filters: SqlDialect<Params> = {
  true: "TRUE",
  false: "FALSE",
  column: (name) => `r.${name}`,
  columnCompare(p, field, op, value) {
    const col = recordColumn(field);
    const param = `${p.add(operand(field, value))}::${col.cast}`;
    return op === "=" || op === "<>" ? `(${col.expr} ${op} ${param})` : `(${col.ordered} ${op} ${param})`;
  },
  columnIn(p, field, values) {
    const col = recordColumn(field);
    return `(${col.expr} = ANY(${p.addList(values.map((v) => operand(field, v)))}::${col.cast}[]))`;
  },
  columnPrefix: (p, field, prefix) => `starts_with(${COLUMNS[field.root]}, ${p.add(operand(field, prefix))}::text)`,
  jsonPresent: (p, field) => present(jsonValue(p, field)),
  jsonAbsent(p, field) {
    const v = jsonValue(p, field);
    return `(${v} IS NULL OR jsonb_typeof(${v}) = 'null')`;
  },
  jsonCompare(p, field, op, value, kind) {
    if (op === "=") return jsonEquals(p, field, value);
    const v = jsonValue(p, field);
    if (kind === "string" && op !== "<>") {
      return `(${typed(v, kind)} AND (${v} #>> '{}') COLLATE "C" ${op} ${p.add(value)}::text)`;
    }
    // jsonb compares two numbers numerically and two booleans false < true.
    return `(${typed(v, kind)} AND ${v} ${op} ${p.add(JSON.stringify(value))}::jsonb)`;
  },
  jsonIn: (p, field, values) =>
    `(${jsonValue(p, field)} = ANY(${p.addList(values.map((x) => JSON.stringify(x)))}::jsonb[]))`,
  jsonPrefix(p, field, prefix) {
    const v = jsonValue(p, field);
    return `(${typed(v, "string")} AND starts_with(${v} #>> '{}', ${p.add(prefix)}::text))`;
  },
};

/**
 * PostgreSQL's record SQL for the tables of one schema: the filter dialect above, rows
 * with escaped keys (keys.ts), `$n` parameters, sort values typed per rank.
 *
 * @example
 * ```ts
 * const { text, p } = pageSql(postgresRecordDialect('"core"'), "feed", query);
 * ```
 */
export function postgresRecordDialect(schema: string): SqlRecordDialect<Params> {
  return {
    ...filters,
    params: () => new Params(),
    records: `${schema}.records r`,
    sightings: `${schema}.sightings`,
    select: "r.*",
    key: encodeKey,
    toRecord: (row) => ({
      id: decodeKey(row.id as string),
      naturalKey: decodeKey(row.natural_key as string),
      layer: row.layer as Layer,
      content: row.content as Record<string, unknown>,
      metadata: row.metadata as Record<string, unknown>,
      createdAt: row.created_at as Date,
      updatedAt: row.updated_at as Date,
      version: Number(row.version),
    }),
    toSighting: (row) => ({
      naturalKey: decodeKey(row.natural_key as string),
      source: row.source as string,
      seenAt: row.seen_at as Date,
      metadata: row.metadata as Record<string, unknown>,
      contentHash: (row.content_hash as string | null) ?? null,
    }),
    // id and natural_key are COLLATE "C" columns; layer is not.
    sortColumn: (field) => (field.root === "layer" ? recordColumn(field).ordered : COLUMNS[field.root]),
    jsonRank: (p, field) =>
      `(CASE jsonb_typeof(${jsonValue(p, field)}) WHEN 'boolean' THEN 1 WHEN 'number' THEN 2 WHEN 'string' THEN 3 WHEN 'object' THEN 4 WHEN 'array' THEN 4 ELSE 0 END)`,
    jsonSortValues(p, field) {
      const v = jsonValue(p, field);
      return ([1, 2, 3] as const).map((rank) => sortValue(v, rank));
    },
    jsonSortValue: (p, field, rank) => sortValue(jsonValue(p, field), rank),
    // A time ordering's "after" is one row-value range, `(created_at, id) > ($v, $id)`, which
    // PostgreSQL seeks to in the (ns[, layer], time, id) index: the scan starts at the cursor
    // even inside a run of equal timestamps (a storeBatch shares one), where
    // `time >= $v AND (time > $v OR id > $id)` would start at the run's first row and filter.
    // id is a COLLATE "C" column, so the row compares ids by code point. naturalKey (unique:
    // ties never happen) and layer (not COLLATE "C") keep the separate comparisons.
    columnAfter(p, field, op, value, id) {
      if (field.kind === "date")
        return `((${COLUMNS[field.root]}, r.id) ${op} (${p.add(value)}::timestamptz, ${p.add(encodeKey(id))}::text))`;
      const atLeast = filters.columnCompare(p, field, op === ">" ? ">=" : "<=", value);
      const beyond = filters.columnCompare(p, field, op, value);
      return `(${atLeast} AND (${beyond} OR ${filters.columnCompare(p, ID, op, id)}))`;
    },
    jsonSortOperand: (p, rank, value) =>
      `${p.add(rank === 2 && value instanceof Date ? value.getTime() : value)}::${SORT[rank].cast}`,
    integer: (p, value) => p.add(value),
  };
}
