import type { Condition, FilterValue } from "@core/protocols";
import {
  type CursorPosition,
  compareCodePoints,
  type NormalizedCountQuery,
  type NormalizedQuery,
  type Ordering,
  type ParsedField,
  typeRank,
} from "@core/protocols/kit";

/** SQL text and its positional parameters. No value ever reaches the text. */
export interface SqlPart {
  text: string;
  params: unknown[];
}

type Kind = "string" | "number" | "boolean" | "date";

const COLUMNS: Record<string, { column: string; kind: Kind }> = {
  id: { column: "id", kind: "string" },
  naturalKey: { column: "natural_key", kind: "string" },
  layer: { column: "layer", kind: "string" },
  createdAt: { column: "created_at", kind: "date" },
  updatedAt: { column: "updated_at", kind: "date" },
};

// json_type() names per kind (a missing path gives NULL, JSON null gives 'null').
const JSON_TYPES: Record<Exclude<Kind, "date">, string> = {
  string: "('text')",
  number: "('integer','real')",
  boolean: "('true','false')",
};

const RANK = `CASE json_type(?1, ?2) WHEN 'true' THEN 1 WHEN 'false' THEN 1 WHEN 'integer' THEN 2 WHEN 'real' THEN 2
  WHEN 'text' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 4 ELSE 0 END`;

/** The JSON path of a content/metadata field: `$."a"."b"` (segments are validated `[A-Za-z0-9_-]`). */
function jsonPath(parsed: ParsedField): string {
  return `$${parsed.path.map((segment) => `."${segment}"`).join("")}`;
}

function kindOf(value: FilterValue): Kind | undefined {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (value instanceof Date) return "date";
  return undefined;
}

function bind(value: FilterValue): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}

const SQL_OPS = { eq: "=", ne: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

/** One field as SQL: how to test "present and of kind k" and the value expression. */
class FieldSql {
  readonly #parsed: ParsedField;
  readonly #top: { column: string; kind: Kind } | undefined;

  constructor(parsed: ParsedField) {
    this.#parsed = parsed;
    this.#top = parsed.path.length === 0 ? COLUMNS[parsed.root] : undefined;
  }

  /** `present` (not missing, not JSON null) as SQL. */
  present(): SqlPart {
    if (this.#top) return { text: "1", params: [] };
    return { text: `coalesce(json_type(${this.#parsed.root}, ?), 'null') <> 'null'`, params: [jsonPath(this.#parsed)] };
  }

  /** `present, of the operand's kind, and value OP operand` as SQL. */
  compare(op: string, operand: FilterValue): SqlPart {
    const kind = kindOf(operand);
    if (kind === undefined) return { text: "0", params: [] };
    if (this.#top) {
      if (this.#top.kind !== kind) return { text: "0", params: [] };
      return { text: `${this.#top.column} ${op} ?`, params: [bind(operand)] };
    }
    // JSON holds no Dates: a Date operand never matches a content/metadata field.
    if (kind === "date") return { text: "0", params: [] };
    const path = jsonPath(this.#parsed);
    const root = this.#parsed.root;
    return {
      text: `(json_type(${root}, ?) IN ${JSON_TYPES[kind]} AND json_extract(${root}, ?) ${op} ?)`,
      params: [path, path, bind(operand)],
    };
  }

  /** Strings starting with `prefix`, compared as UTF-8 bytes (exact even with U+0000). */
  prefix(prefix: string): SqlPart {
    const bytes = Buffer.from(prefix, "utf8");
    // An empty Buffer binds as NULL: the empty prefix is a type test only.
    const test = prefix === "" ? "1" : "substr(CAST(%s AS BLOB), 1, ?) = ?";
    if (this.#top) {
      if (this.#top.kind !== "string") return { text: "0", params: [] };
      return { text: test.replace("%s", this.#top.column), params: prefix === "" ? [] : [bytes.length, bytes] };
    }
    const path = jsonPath(this.#parsed);
    const root = this.#parsed.root;
    return {
      text: `(json_type(${root}, ?) = 'text' AND ${test.replace("%s", `json_extract(${root}, ?)`)})`,
      params: prefix === "" ? [path] : [path, path, bytes.length, bytes],
    };
  }

  /** Sort rank (typeRank) and sort value (NULL for ranks 0 and 4) expressions. */
  sortKeys(): { rank: SqlPart; value: SqlPart } {
    if (this.#top) {
      const rank = this.#top.kind === "date" ? "2" : "3";
      return { rank: { text: rank, params: [] }, value: { text: this.#top.column, params: [] } };
    }
    const path = jsonPath(this.#parsed);
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

function condition(c: Condition): SqlPart {
  const field = new FieldSql(c.parsed);
  const not = (part: SqlPart): SqlPart => ({ text: `NOT (${part.text})`, params: part.params });
  switch (c.op) {
    case "exists":
      return c.value === true ? field.present() : not(field.present());
    case "prefix":
      return field.prefix(c.value as string);
    case "in": {
      const parts = (c.value as FilterValue[]).map((v) => field.compare("=", v));
      if (parts.length === 0) return { text: "0", params: [] };
      return { text: `(${parts.map((p) => p.text).join(" OR ")})`, params: parts.flatMap((p) => p.params) };
    }
    default: {
      if (c.op === "eq" && c.value === null) return not(field.present());
      return field.compare(SQL_OPS[c.op as keyof typeof SQL_OPS], c.value as FilterValue);
    }
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
  const parts: SqlPart[] = [{ text: "ns = ?", params: [ns] }];
  if (query.layer !== undefined) parts.push({ text: "layer = ?", params: [query.layer] });
  for (const c of query.conditions) parts.push(condition(c));
  return { text: parts.map((p) => p.text).join(" AND "), params: parts.flatMap((p) => p.params) };
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
    text: `(r ${cmp} ? OR (r = ? AND (v ${cmp} ? OR (v IS ? AND id > ?))))`,
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
    const inclusive = compareCodePoints(value as string, position.id) > 0;
    const op = descending ? (inclusive ? "<=" : "<") : inclusive ? ">=" : ">";
    return { text: `id ${op} ?`, params: [value] };
  }
  if (!descending) return { text: `(${top.column}, id) > (?, ?)`, params: [value, position.id] };
  // Descending column, ties by id ascending: the leading range still narrows the index scan.
  return {
    text: `${top.column} <= ? AND (${top.column} < ? OR id > ?)`,
    params: [value, value, position.id],
  };
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
  // id and natural_key are unique in a collection: no tie-break, so one index serves both directions.
  const unique = top.column === "id" || top.column === "natural_key";
  text += unique ? ` ORDER BY ${top.column} ${dir}` : ` ORDER BY ${top.column} ${dir}, id ASC`;
  text += " LIMIT CAST(? AS INTEGER) OFFSET CAST(? AS INTEGER)";
  params.push(query.limit + 1, query.offset);
  return { text, params };
}

/**
 * The page query: filtered rows with their sort rank `r` and value `v`, strictly after the
 * cursor (if any), ordered like `compareRecords` (ties by id), `limit + 1` rows so the
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
  text += ` ORDER BY r ${dir}, v ${dir}, id ASC LIMIT CAST(? AS INTEGER) OFFSET CAST(? AS INTEGER)`;
  params.push(query.limit + 1, query.offset);
  return { text, params };
}
