import type { Condition, FilterValue } from "../../filter.js";
import type { Layer } from "../../records.js";
import type { SqlColumnField, SqlComparison, SqlDialect, SqlJsonField, SqlJsonKind } from "./sql-dialect.js";
import type { SqlParams } from "./sql-params.js";

const COMPARISONS: Record<string, SqlComparison> = { eq: "=", ne: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" };
/** Whether each top-level record field holds strings or dates. */
export const COLUMN_KINDS: Record<SqlColumnField["root"], SqlColumnField["kind"]> = {
  id: "string",
  naturalKey: "string",
  layer: "string",
  createdAt: "date",
  updatedAt: "date",
};

// JSON holds no Dates: a Date operand never matches a content/metadata field.
function jsonKind(value: unknown): SqlJsonKind | undefined {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  return undefined;
}

function columnCondition<P extends SqlParams>(d: SqlDialect<P>, p: P, field: SqlColumnField, c: Condition): string {
  const ofKind = (v: unknown): v is string | Date =>
    field.kind === "date" ? v instanceof Date : typeof v === "string";
  switch (c.op) {
    // Top-level fields are always present.
    case "exists":
      return c.value ? d.true : d.false;
    case "prefix":
      return field.kind === "string" ? d.columnPrefix(p, field, c.value as string) : d.false;
    case "in": {
      const operands = (c.value as FilterValue[]).filter(ofKind);
      return operands.length === 0 ? d.false : d.columnIn(p, field, operands);
    }
    default:
      return ofKind(c.value) ? d.columnCompare(p, field, COMPARISONS[c.op] as SqlComparison, c.value) : d.false;
  }
}

function jsonCondition<P extends SqlParams>(d: SqlDialect<P>, p: P, field: SqlJsonField, c: Condition): string {
  switch (c.op) {
    case "exists":
      return c.value ? d.jsonPresent(p, field) : d.jsonAbsent(p, field);
    case "prefix":
      return d.jsonPrefix(p, field, c.value as string);
    case "in": {
      const operands = (c.value as FilterValue[]).filter((v) => jsonKind(v) !== undefined) as (
        | string
        | number
        | boolean
      )[];
      return operands.length === 0 ? d.false : d.jsonIn(p, field, operands);
    }
    default: {
      if (c.op === "eq" && c.value === null) return d.jsonAbsent(p, field);
      const kind = jsonKind(c.value);
      if (kind === undefined) return d.false;
      return d.jsonCompare(p, field, COMPARISONS[c.op] as SqlComparison, c.value as string | number | boolean, kind);
    }
  }
}

/**
 * One filter condition as SQL in `d`'s dialect, reproducing `matchesFilter` exactly:
 * operands match only present fields of their own type, `eq: null` is `exists: false`,
 * an empty `in` matches nothing. Values go to `p`, never into the text.
 *
 * @example
 * ```ts
 * conditionSql(dialect, p, compileFilter({ "content.score": { gte: 5 } })[0]);
 * ```
 */
export function conditionSql<P extends SqlParams>(d: SqlDialect<P>, p: P, c: Condition): string {
  const { root, path } = c.parsed;
  if (root === "content" || root === "metadata") return jsonCondition(d, p, { root, path }, c);
  return columnCondition(d, p, { root, kind: COLUMN_KINDS[root] }, c);
}

/**
 * The WHERE clause of a record query or count: namespace, layer (when given) and every
 * condition, joined with AND.
 *
 * @example
 * ```ts
 * const p = new SqlParams(() => "?");
 * const where = whereSql(dialect, p, "feed", "gold", compileFilter({ "content.score": { gte: 5 } }));
 * ```
 */
export function whereSql<P extends SqlParams>(
  d: SqlDialect<P>,
  p: P,
  ns: string,
  layer: Layer | undefined,
  conditions: readonly Condition[],
): string {
  const parts = [`${d.column("ns")} = ${p.add(ns)}`];
  if (layer !== undefined) parts.push(`${d.column("layer")} = ${p.add(layer)}`);
  for (const c of conditions) parts.push(conditionSql(d, p, c));
  return parts.join(" AND ");
}
