import type { NormalizedCountQuery, NormalizedQuery } from "../../record-query-validation.js";
import type { SqlParams } from "../sql-dialect/sql-params.js";
import { whereSql } from "../sql-dialect/where-sql.js";
import { afterSql, orderSql } from "./record-order-sql.js";
import type { SqlRecordDialect } from "./sql-record-dialect.js";

/** A statement planned from a query: its text and the parameters in its dialect's style. */
export interface PlannedSql<P extends SqlParams = SqlParams> {
  text: string;
  p: P;
}

/**
 * The page statement of a query: filtered rows strictly after the cursor (if any), in the
 * ordering, `limit + 1` of them so the caller knows whether a next page exists.
 *
 * @example
 * ```ts
 * const { text, p } = pageSql(dialect, "feed", normalizeQuery("sqlite", { orderBy: "-createdAt" }, 10_000));
 * ```
 */
export function pageSql<P extends SqlParams>(
  d: SqlRecordDialect<P>,
  ns: string,
  query: NormalizedQuery,
): PlannedSql<P> {
  const p = d.params();
  let where = whereSql(d, p, ns, query.layer, query.conditions);
  if (query.after !== undefined) where += ` AND ${afterSql(d, p, query.ordering, query.after)}`;
  const from = `${d.records}${d.pageHint?.(query) ?? ""}`;
  const order = orderSql(d, p, query.ordering);
  const limit = `LIMIT ${d.integer(p, query.limit + 1)} OFFSET ${d.integer(p, query.offset)}`;
  return { text: `SELECT ${d.select} FROM ${from} WHERE ${where} ORDER BY ${order} ${limit}`, p };
}

/**
 * The count statement of a query (one row, column `n`).
 *
 * @example
 * ```ts
 * const { text, p } = countSql(dialect, "feed", normalizeCountQuery("sqlite", { layer: "gold" }));
 * ```
 */
export function countSql<P extends SqlParams>(
  d: SqlRecordDialect<P>,
  ns: string,
  query: NormalizedCountQuery,
): PlannedSql<P> {
  const p = d.params();
  const where = whereSql(d, p, ns, query.layer, query.conditions);
  return { text: `SELECT count(*) AS n FROM ${d.records} WHERE ${where}`, p };
}

/** The fixed statements of a record store; each takes the collection first. */
export interface RecordStatements {
  /** `(ns, id)`, and `(ns, id, layer)` for the `…Layer` variants. */
  get: string;
  getLayer: string;
  exists: string;
  existsLayer: string;
  delete: string;
  deleteLayer: string;
  /** `(ns, naturalKey)`. */
  getByNaturalKey: string;
  existsByNaturalKey: string;
  getSightings: string;
}

function sightings<P extends SqlParams>(d: SqlRecordDialect<P>): string {
  const p = d.params();
  return `SELECT natural_key, source, seen_at, metadata, content_hash FROM ${d.sightings}
    WHERE ns = ${p.add("")} AND natural_key = ${p.add("")} ORDER BY seen_at, seq`;
}

const BUILT = new WeakMap<SqlRecordDialect<SqlParams>, RecordStatements>();

/**
 * The fixed statements of a dialect, built once (their texts are what drivers prepare).
 *
 * @example
 * ```ts
 * const { get } = recordStatements(dialect); // "SELECT … FROM core_records WHERE ns = ? AND id = ?"
 * ```
 */
export function recordStatements<P extends SqlParams>(d: SqlRecordDialect<P>): RecordStatements {
  let built = BUILT.get(d);
  if (built !== undefined) return built;
  const where = (key: "id" | "natural_key", layer: boolean) => {
    const p = d.params();
    const text = `${d.column("ns")} = ${p.add("")} AND ${d.column(key)} = ${p.add("")}`;
    return layer ? `${text} AND ${d.column("layer")} = ${p.add("")}` : text;
  };
  const select = (what: string, key: "id" | "natural_key", layer = false) =>
    `SELECT ${what} FROM ${d.records} WHERE ${where(key, layer)}`;
  built = {
    get: select(d.select, "id"),
    getLayer: select(d.select, "id", true),
    exists: select("1", "id"),
    existsLayer: select("1", "id", true),
    delete: `DELETE FROM ${d.records} WHERE ${where("id", false)}`,
    deleteLayer: `DELETE FROM ${d.records} WHERE ${where("id", true)}`,
    getByNaturalKey: select(d.select, "natural_key"),
    existsByNaturalKey: select("1", "natural_key"),
    getSightings: sightings(d),
  };
  BUILT.set(d, built);
  return built;
}
