import type { Condition, FilterValue, Layer } from "@core/protocols";
import { type CursorPosition, type Ordering, type ParsedField, typeRank } from "@core/protocols/kit";
import { encodeKey } from "./keys.js";

function escapeOperand(value: unknown): never {
  if (typeof value === "string") return encodeKey(value) as never;
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? encodeKey(v) : v)) as never;
  return value as never;
}

/**
 * Collects parameters; `add` returns the placeholder. No value ever enters SQL text.
 *
 * @example
 * ```ts
 * const p = new Params();
 * const sql = `r.id = ${p.add("x")}`; // "r.id = $1", p.values = ["x"]
 * ```
 */
export class Params {
  readonly values: unknown[] = [];
  /**
   * False once an array operand was added: the statement then runs unprepared, because a
   * generic plan would test `= ANY($n)` element by element on every row.
   */
  preparable = true;
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  /** {@link add} for an array matched with `= ANY(…)`. */
  addList(value: unknown[]): string {
    this.preparable = false;
    return this.add(value);
  }
}

type Column = { kind: "text"; expr: string } | { kind: "date"; expr: string } | { kind: "json"; expr: string };

const COLUMNS: Record<string, string> = {
  id: "r.id",
  naturalKey: "r.natural_key",
  layer: "r.layer",
  createdAt: "r.created_at",
  updatedAt: "r.updated_at",
};

// Field names are whitelisted by parseField; JSON paths travel as a text[] parameter.
function column(parsed: ParsedField, p: Params): Column {
  if (parsed.root === "content" || parsed.root === "metadata") {
    // `->` with a text key never indexes an array, so "tags.0" is missing like everywhere else.
    const chain = parsed.path.map((segment) => ` -> ${p.add(segment)}::text`).join("");
    return { kind: "json", expr: `(r.${parsed.root}${chain})` };
  }
  const expr = COLUMNS[parsed.root] as string;
  return parsed.root === "createdAt" || parsed.root === "updatedAt" ? { kind: "date", expr } : { kind: "text", expr };
}

const FALSE = "FALSE";
const RANGE: Record<string, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

function jsonType(v: FilterValue): "string" | "number" | "boolean" | undefined {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "boolean";
  return undefined;
}

// `{"a":{"b":value}}` for the path a.b: contained in a document exactly when a.b equals
// value (a scalar is never contained in a nested array, unlike at the top level).
function containment(path: readonly string[], value: FilterValue): string {
  let json = JSON.stringify(value);
  for (let i = path.length - 1; i >= 0; i--) json = `{${JSON.stringify(path[i])}:${json}}`;
  return json;
}

// Type-strict: an operand only ever matches a field of its own JSON type.
function jsonCondition(v: string, c: Condition, p: Params): string {
  const present = `(${v} IS NOT NULL AND jsonb_typeof(${v}) <> 'null')`;
  const absent = `(${v} IS NULL OR jsonb_typeof(${v}) = 'null')`;
  if (c.op === "exists") return c.value ? present : absent;
  if (c.op === "eq" && c.value === null) return absent;
  if (c.op === "in") {
    const json = (c.value as FilterValue[]).filter((x) => jsonType(x) !== undefined).map((x) => JSON.stringify(x));
    return json.length === 0 ? FALSE : `(${v} = ANY(${p.addList(json)}::jsonb[]))`;
  }
  if (c.op === "prefix") {
    return `(jsonb_typeof(${v}) = 'string' AND starts_with(${v} #>> '{}', ${p.add(c.value)}::text))`;
  }
  const operand = c.value as FilterValue;
  const type = jsonType(operand);
  if (type === undefined) return FALSE;
  if (c.op === "eq") {
    // The containment test is what the GIN index on the column can serve; the exact test
    // stays, since `@>` alone would also match a number equal in another spelling (and
    // keeps the rule in one place if containment semantics ever widen).
    const contained = `r.${c.parsed.root} @> ${p.add(containment(c.parsed.path, operand))}::jsonb`;
    return `(${contained} AND ${v} = ${p.add(JSON.stringify(operand))}::jsonb)`;
  }
  if (c.op === "ne") return `(jsonb_typeof(${v}) = '${type}' AND ${v} <> ${p.add(JSON.stringify(operand))}::jsonb)`;
  const op = RANGE[c.op] as string;
  if (type === "string") {
    return `(jsonb_typeof(${v}) = 'string' AND (${v} #>> '{}') COLLATE "C" ${op} ${p.add(operand)}::text)`;
  }
  // jsonb compares two numbers numerically and two booleans false < true.
  return `(jsonb_typeof(${v}) = '${type}' AND ${v} ${op} ${p.add(JSON.stringify(operand))}::jsonb)`;
}

function columnCondition(col: Column, c: Condition, p: Params): string {
  // id and naturalKey are stored escaped (see keys.ts); their operands are escaped alike.
  if (c.parsed.root === "id" || c.parsed.root === "naturalKey") c = { ...c, value: escapeOperand(c.value) };
  const wanted = (x: unknown) => (col.kind === "date" ? x instanceof Date : typeof x === "string");
  const cast = col.kind === "date" ? "timestamptz" : "text";
  const e = col.kind === "text" ? `${col.expr} COLLATE "C"` : col.expr;
  // Top-level fields are always present.
  if (c.op === "exists") return c.value ? "TRUE" : FALSE;
  if (c.op === "in") {
    const list = (c.value as FilterValue[]).filter(wanted);
    return list.length === 0 ? FALSE : `(${col.expr} = ANY(${p.addList(list)}::${cast}[]))`;
  }
  if (c.op === "prefix") return col.kind === "text" ? `starts_with(${col.expr}, ${p.add(c.value)}::text)` : FALSE;
  if (!wanted(c.value)) return FALSE;
  const operand = `${p.add(c.value)}::${cast}`;
  if (c.op === "eq") return `(${col.expr} = ${operand})`;
  if (c.op === "ne") return `(${col.expr} <> ${operand})`;
  return `(${e} ${RANGE[c.op] as string} ${operand})`;
}

/**
 * The WHERE clause of a query: namespace, layer and every condition (AND).
 *
 * @example
 * ```ts
 * const p = new Params();
 * const where = whereSql(p, "feed", "gold", compileFilter({ "content.score": { gte: 5 } }));
 * ```
 */
export function whereSql(p: Params, ns: string, layer: Layer | undefined, conditions: readonly Condition[]): string {
  const parts = [`r.ns = ${p.add(ns)}`];
  if (layer !== undefined) parts.push(`r.layer = ${p.add(layer)}`);
  for (const c of conditions) {
    const mark = p.values.length;
    const col = column(c.parsed, p);
    const sql = col.kind === "json" ? jsonCondition(col.expr, c, p) : columnCondition(col, c, p);
    // A constant uses none of the parameters just added (pg rejects unused, untyped ones).
    if (sql === FALSE || sql === "TRUE") p.values.length = mark;
    parts.push(sql);
  }
  return parts.join(" AND ");
}

interface SortKey {
  /** Type rank (see `typeRank`): a constant for top-level fields. */
  rank: string | number;
  /** Typed value expressions by rank. */
  typed: Record<number, { expr: string; cast: string }>;
}

function sortKey(parsed: ParsedField, p: Params): SortKey {
  const col = column(parsed, p);
  if (col.kind === "text") return { rank: 3, typed: { 3: { expr: `${col.expr} COLLATE "C"`, cast: "text" } } };
  if (col.kind === "date") return { rank: 2, typed: { 2: { expr: col.expr, cast: "timestamptz" } } };
  const v = col.expr;
  return {
    rank: `(CASE jsonb_typeof(${v}) WHEN 'boolean' THEN 1 WHEN 'number' THEN 2 WHEN 'string' THEN 3 WHEN 'object' THEN 4 WHEN 'array' THEN 4 ELSE 0 END)`,
    typed: {
      1: { expr: `(CASE WHEN jsonb_typeof(${v}) = 'boolean' THEN (${v})::boolean END)`, cast: "boolean" },
      2: { expr: `(CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${v})::numeric END)`, cast: "numeric" },
      3: { expr: `(CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${v} #>> '{}' END) COLLATE "C"`, cast: "text" },
    },
  };
}

/**
 * ORDER BY for an ordering: type rank, then the typed value (strings by code point),
 * descending if asked, ties by `id` ascending — `compareRecords` in SQL.
 *
 * @example
 * ```ts
 * orderSql(p, parseOrderBy("-content.score"));
 * ```
 */
export function orderSql(p: Params, ordering: Ordering): string {
  // By id or naturalKey alone: both are unique in a collection, so the id tie-break is
  // moot and their indexes serve the order in both directions.
  if (ordering.parsed.root === "id") return `r.id ${ordering.descending ? "DESC" : "ASC"}`;
  if (ordering.parsed.root === "naturalKey") return `r.natural_key ${ordering.descending ? "DESC" : "ASC"}`;
  const key = sortKey(ordering.parsed, p);
  const dir = ordering.descending ? "DESC" : "ASC";
  const parts = typeof key.rank === "number" ? [] : [`${key.rank} ${dir}`];
  for (const t of Object.values(key.typed)) parts.push(`${t.expr} ${dir}`);
  parts.push("r.id ASC");
  return parts.join(", ");
}

/**
 * The keyset condition: records strictly after the cursor position (`isAfterCursor` in SQL).
 *
 * @example
 * ```ts
 * afterSql(p, ordering, decodeCursor(after, ordering));
 * ```
 */
export function afterSql(p: Params, ordering: Ordering, position: CursorPosition): string {
  const mark = p.values.length;
  const key = sortKey(ordering.parsed, p);
  const op = ordering.descending ? "<" : ">";
  const raw = position.value;
  const r = typeRank(raw);
  if (typeof key.rank === "number" && key.rank !== r) {
    p.values.length = mark;
    return (ordering.descending ? key.rank < r : key.rank > r) ? "TRUE" : FALSE;
  }
  // By id (a cursor of ours holds the id twice): the tie-break is moot and one range
  // condition, an index seek on the primary key, says "after".
  if (ordering.parsed.root === "id" && raw === position.id) return `r.id ${op} ${p.add(encodeKey(raw))}::text`;
  const id = `r.id > ${p.add(encodeKey(position.id))}::text`;
  const typed = key.typed[r];
  let tie = id;
  if (typed) {
    const escaped = ordering.parsed.root === "id" || ordering.parsed.root === "naturalKey";
    const value = typed.cast === "numeric" && raw instanceof Date ? raw.getTime() : escaped ? escapeOperand(raw) : raw;
    const param = `${p.add(value)}::${typed.cast}`;
    // A top-level column: the leading `>=`/`<=` is a range the ordering's index seeks to
    // (an OR alone would make the planner walk the index from its start).
    if (typeof key.rank === "number")
      return `(${typed.expr} ${op}= ${param} AND (${typed.expr} ${op} ${param} OR ${id}))`;
    tie = `(${typed.expr} ${op} ${param} OR (${typed.expr} = ${param} AND ${id}))`;
  }
  if (typeof key.rank === "number") return tie;
  return `(${key.rank} ${op} ${r} OR (${key.rank} = ${r} AND ${tie}))`;
}
