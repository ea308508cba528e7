import { type CursorPosition, type Ordering, type ParsedField, typeRank } from "@core/protocols/kit";
import { encodeKey } from "./keys.js";
import { jsonValue, type Params, recordColumn } from "./records-dialect.js";

// The WHERE clause is the kit's `whereSql` with `postgresRecordDialect`; ordering and
// keyset conditions are built here.

function escapeOperand(value: unknown): never {
  if (typeof value === "string") return encodeKey(value) as never;
  return value as never;
}

type Column = { kind: "text"; expr: string } | { kind: "date"; expr: string } | { kind: "json"; expr: string };

function column(parsed: ParsedField, p: Params): Column {
  if (parsed.root === "content" || parsed.root === "metadata") {
    return { kind: "json", expr: jsonValue(p, { root: parsed.root, path: parsed.path }) };
  }
  const date = parsed.root === "createdAt" || parsed.root === "updatedAt";
  const { expr } = recordColumn({ root: parsed.root, kind: date ? "date" : "string" });
  return { kind: date ? "date" : "text", expr };
}

const FALSE = "FALSE";

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
 * then `id`, all descending if asked (ties follow the direction) — `compareRecords` in SQL.
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
  parts.push(`r.id ${dir}`);
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
  const id = `r.id ${op} ${p.add(encodeKey(position.id))}::text`;
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
