import {
  type CursorPosition,
  compareCodePoints,
  type NormalizedCountQuery,
  type NormalizedQuery,
  type Ordering,
  type ParsedField,
  SqlParams,
  typeRank,
  whereSql,
} from "@core/protocols/kit";
import { jsonPath, sqliteRecordDialect } from "./records-dialect.js";

/** SQL text and its positional parameters. No value ever reaches the text. */
export interface SqlPart {
  text: string;
  params: unknown[];
}

type Kind = "string" | "date";

const COLUMNS: Record<string, { column: string; kind: Kind }> = {
  id: { column: "id", kind: "string" },
  naturalKey: { column: "natural_key", kind: "string" },
  layer: { column: "layer", kind: "string" },
  createdAt: { column: "created_at", kind: "date" },
  updatedAt: { column: "updated_at", kind: "date" },
};

const RANK = `CASE json_type(?1, ?2) WHEN 'true' THEN 1 WHEN 'false' THEN 1 WHEN 'integer' THEN 2 WHEN 'real' THEN 2
  WHEN 'text' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 4 ELSE 0 END`;

/** One field's sort keys as SQL (the filter itself is the kit's `whereSql`, see records-dialect.ts). */
class FieldSql {
  readonly #parsed: ParsedField;
  readonly #top: { column: string; kind: Kind } | undefined;

  constructor(parsed: ParsedField) {
    this.#parsed = parsed;
    this.#top = parsed.path.length === 0 ? COLUMNS[parsed.root] : undefined;
  }

  /** Sort rank (typeRank) and sort value (NULL for ranks 0 and 4) expressions. */
  sortKeys(): { rank: SqlPart; value: SqlPart } {
    if (this.#top) {
      const rank = this.#top.kind === "date" ? "2" : "3";
      return { rank: { text: rank, params: [] }, value: { text: this.#top.column, params: [] } };
    }
    const path = jsonPath(this.#parsed.path);
    const root = this.#parsed.root;
    return {
      rank: { text: RANK.replace("?1", root).replace("?2", "?"), params: [path] },
      value: {
        text: `CASE WHEN json_type(${root}, ?) IN ('true','false','integer','real','text') THEN json_extract(${root}, ?) END`,
        params: [path, path],
      },
    };
  }
}

/**
 * The WHERE clause of a query or count: namespace, layer and every condition (AND),
 * reproducing `matchesFilter` exactly (type-strict, presence, BINARY = code point order).
 *
 * @example
 * ```ts
 * const where = whereClause("feed", normalizeCountQuery("sqlite", { layer: "gold" }));
 * ```
 */
export function whereClause(ns: string, query: NormalizedCountQuery): SqlPart {
  const p = new SqlParams(() => "?");
  return { text: whereSql(sqliteRecordDialect, p, ns, query.layer, query.conditions), params: p.values };
}

function afterClause(position: CursorPosition, descending: boolean): SqlPart {
  const raw = position.value;
  const rank = typeRank(raw);
  let value: unknown = null;
  if (rank === 1) value = raw ? 1 : 0;
  else if (rank === 2) value = raw instanceof Date ? raw.getTime() : raw;
  else if (rank === 3) value = raw;
  const cmp = descending ? "<" : ">";
  return {
    text: `(r ${cmp} ? OR (r = ? AND (v ${cmp} ? OR (v IS ? AND id ${cmp} ?))))`,
    params: [rank, rank, value, value, position.id],
  };
}

const SELECTED = "id, natural_key, layer, content, metadata, created_at, updated_at, version";

/**
 * Rows strictly after the cursor when ordering by a column (constant type rank): a range
 * on (column, id) that an index on (ns, column, id) — or the primary key for `id` — can
 * seek to, instead of computing a rank and value per row and filtering them.
 */
function columnAfter(top: { column: string; kind: Kind }, position: CursorPosition, descending: boolean): SqlPart {
  const columnRank = top.kind === "date" ? 2 : 3;
  const rank = typeRank(position.value);
  if (rank !== columnRank) {
    // Every row has the column's rank: all of them sort after the cursor, or none.
    const after = descending ? columnRank < rank : columnRank > rank;
    return { text: after ? "1" : "0", params: [] };
  }
  const raw = position.value;
  const value = raw instanceof Date ? raw.getTime() : raw;
  if (top.column === "id") {
    // After (v, pid) by id: ids beyond v, and v itself only when v sorts after pid.
    const tie = compareCodePoints(value as string, position.id);
    const inclusive = descending ? tie < 0 : tie > 0;
    const op = descending ? (inclusive ? "<=" : "<") : inclusive ? ">=" : ">";
    return { text: `id ${op} ?`, params: [value] };
  }
  // Ties follow the direction, so "after" is one row-value range either way: a seek in
  // the (ns, column, id) index, scanned backwards when descending.
  return { text: `(${top.column}, id) ${descending ? "<" : ">"} (?, ?)`, params: [value, position.id] };
}

function columnPageQuery(ns: string, query: NormalizedQuery, top: { column: string; kind: Kind }): SqlPart {
  const where = whereClause(ns, query);
  const { descending } = query.ordering;
  const dir = descending ? "DESC" : "ASC";
  // Without statistics the planner walks the primary key and filters by layer, reading every
  // record of the other layers; the layer index (ns, layer, id) seeks straight to the page.
  const index = top.column === "id" && query.layer !== undefined ? " INDEXED BY core_records_layer" : "";
  let text = `SELECT ${SELECTED} FROM core_records${index} WHERE ${where.text}`;
  const params = [...where.params];
  if (query.after !== undefined) {
    const after = columnAfter(top, query.after, descending);
    text += ` AND ${after.text}`;
    params.push(...after.params);
  }
  // id and natural_key are unique in a collection: no tie-break. Other columns break ties by
  // id in the same direction, so one index on (ns, column, id) serves both directions.
  const unique = top.column === "id" || top.column === "natural_key";
  text += unique ? ` ORDER BY ${top.column} ${dir}` : ` ORDER BY ${top.column} ${dir}, id ${dir}`;
  text += " LIMIT CAST(? AS INTEGER) OFFSET CAST(? AS INTEGER)";
  params.push(query.limit + 1, query.offset);
  return { text, params };
}

/**
 * The page query: filtered rows with their sort rank `r` and value `v`, strictly after the
 * cursor (if any), ordered like `compareRecords` (ties by id, same direction), `limit + 1` rows so the
 * caller knows whether a next page exists.
 *
 * @example
 * ```ts
 * const { text, params } = pageQuery("feed", normalizeQuery("sqlite", q, 10_000));
 * ```
 */
export function pageQuery(ns: string, query: NormalizedQuery): SqlPart {
  const ordering: Ordering = query.ordering;
  const top = ordering.parsed.path.length === 0 ? COLUMNS[ordering.parsed.root] : undefined;
  if (top !== undefined) return columnPageQuery(ns, query, top);
  const where = whereClause(ns, query);
  const { rank, value } = new FieldSql(ordering.parsed).sortKeys();
  const inner = `SELECT *, ${rank.text} AS r, ${value.text} AS v FROM core_records WHERE ${where.text}`;
  const params = [...rank.params, ...value.params, ...where.params];
  const dir = ordering.descending ? "DESC" : "ASC";
  let text = `SELECT * FROM (${inner})`;
  if (query.after !== undefined) {
    const after = afterClause(query.after, ordering.descending);
    text += ` WHERE ${after.text}`;
    params.push(...after.params);
  }
  text += ` ORDER BY r ${dir}, v ${dir}, id ${dir} LIMIT CAST(? AS INTEGER) OFFSET CAST(? AS INTEGER)`;
  params.push(query.limit + 1, query.offset);
  return { text, params };
}
