import type { CursorPosition } from "../../cursor.js";
import { compareCodePoints, type Ordering, typeRank } from "../../filter.js";
import type { SqlColumnField, SqlJsonField } from "../sql-dialect/sql-dialect.js";
import type { SqlParams } from "../sql-dialect/sql-params.js";
import { COLUMN_KINDS } from "../sql-dialect/where-sql.js";
import type { SqlRecordDialect, SqlSortRank } from "./sql-record-dialect.js";

const ID: SqlColumnField = { root: "id", kind: "string" };

type SortField = { json: SqlJsonField; column?: undefined } | { column: SqlColumnField; json?: undefined };

function sortField(ordering: Ordering): SortField {
  const { root, path } = ordering.parsed;
  if (root === "content" || root === "metadata") return { json: { root, path } };
  return { column: { root, kind: COLUMN_KINDS[root] } };
}

/**
 * ORDER BY for an ordering, `compareRecords` in SQL: type rank, sort value (strings by code
 * point), then id, all in the ordering's direction (ties follow it: `-x` breaks ties by id
 * descending), so one ascending index on (ns, x, id) serves both directions. id and
 * naturalKey are unique in a collection: they sort alone.
 *
 * @example
 * ```ts
 * orderSql(dialect, p, parseOrderBy("-createdAt")); // "created_at DESC, id DESC"
 * ```
 */
export function orderSql<P extends SqlParams>(d: SqlRecordDialect<P>, p: P, ordering: Ordering): string {
  const dir = ordering.descending ? " DESC" : " ASC";
  const { column, json } = sortField(ordering);
  if (column === undefined)
    return [d.jsonRank(p, json), ...d.jsonSortValues(p, json), d.sortColumn(ID)].join(`${dir}, `) + dir;
  if (column.root === "id" || column.root === "naturalKey") return d.sortColumn(column) + dir;
  return `${d.sortColumn(column)}${dir}, ${d.sortColumn(ID)}${dir}`;
}

/**
 * The keyset condition: rows strictly after the cursor position (`isAfterCursor` in SQL).
 * For a column it is a range the ordering's index seeks to; for a JSON field it compares
 * rank, then the value of the cursor's rank, then id.
 *
 * @example
 * ```ts
 * const after = afterSql(dialect, p, query.ordering, query.after);
 * ```
 */
export function afterSql<P extends SqlParams>(
  d: SqlRecordDialect<P>,
  p: P,
  ordering: Ordering,
  position: CursorPosition,
): string {
  const op = ordering.descending ? "<" : ">";
  const orEqual = ordering.descending ? "<=" : ">=";
  const { column, json } = sortField(ordering);
  const raw = position.value;
  const rank = typeRank(raw);
  const idAfter = () => d.columnCompare(p, ID, op, position.id);
  if (column !== undefined) {
    const columnRank = column.kind === "date" ? 2 : 3;
    // Every row has the column's rank: all of them sort after the cursor, or none.
    if (rank !== columnRank) return (ordering.descending ? columnRank < rank : columnRank > rank) ? d.true : d.false;
    const value = raw as string | Date;
    if (column.root === "id") {
      // After (v, pid) by id: ids beyond v, and v itself only when v sorts after pid.
      const tie = compareCodePoints(value as string, position.id);
      return d.columnCompare(p, ID, (ordering.descending ? tie < 0 : tie > 0) ? orEqual : op, value);
    }
    if (d.columnAfter) return d.columnAfter(p, column, op, value, position.id);
    // The leading `>=`/`<=` is the range the (ns, column, id) index seeks to; an OR alone
    // would make the planner walk the index from its start.
    const atLeast = d.columnCompare(p, column, orEqual, value);
    return `(${atLeast} AND (${d.columnCompare(p, column, op, value)} OR ${idAfter()}))`;
  }
  const rankAfter = () => `${d.jsonRank(p, json)} ${op} ${rank}`;
  if (rank === 0 || rank === 4) return `(${rankAfter()} OR (${d.jsonRank(p, json)} = ${rank} AND ${idAfter()}))`;
  const r = rank as SqlSortRank;
  const v = () => d.jsonSortValue(p, json, r);
  const tie = () =>
    `(${v()} ${op} ${d.jsonSortOperand(p, r, raw)} OR (${v()} = ${d.jsonSortOperand(p, r, raw)} AND ${idAfter()}))`;
  return `(${rankAfter()} OR (${d.jsonRank(p, json)} = ${rank} AND ${tie()}))`;
}
