import type { NormalizedQuery } from "../../record-query-validation.js";
import type { Sighting, StoredRecord } from "../../records.js";
import type { SqlColumnField, SqlDialect, SqlJsonField } from "../sql-dialect/sql-dialect.js";
import type { SqlParams } from "../sql-dialect/sql-params.js";

/** A sort rank of a JSON value that has a sort value (1 boolean, 2 number, 3 string; see `typeRank`). */
export type SqlSortRank = 1 | 2 | 3;

/**
 * What one SQL engine adds to its filter dialect for the shared record statements
 * (`sqlRecordCollection`): tables, row decoding, sort expressions and integer operands.
 * Everything else — keyset conditions, ORDER BY, page, count, get and delete statements —
 * is planned once in the kit. Placeholders may be positional: every hook adds its values
 * in the order its text reads, and is called once per place its text appears.
 *
 * @example
 * ```ts
 * const dialect: SqlRecordDialect = { ...myFilterDialect, params: () => new SqlParams(() => "?"), records: "core_records", … };
 * ```
 */
export interface SqlRecordDialect<P extends SqlParams = SqlParams> extends SqlDialect<P> {
  /** The parameters of a new statement. */
  params(): P;
  /** The records table as FROM names it (with the alias the columns use, if any). */
  readonly records: string;
  /** The sightings table. */
  readonly sightings: string;
  /** The columns of a record row, as `toRecord` reads them. */
  readonly select: string;
  /** An index hint placed after the table of a page query ("" for none). */
  pageHint?(query: NormalizedQuery): string;
  /** An id or natural key as stored (a backend may escape keys). */
  key(value: string): string;
  /** A selected row as the record callers see. */
  toRecord(row: Record<string, unknown>): StoredRecord;
  /** A row of `natural_key, source, seen_at, metadata, content_hash` as a sighting. */
  toSighting(row: Record<string, unknown>): Sighting;
  /** A top-level column as ORDER BY sorts it (strings by code point). */
  sortColumn(field: SqlColumnField): string;
  /** The type rank (`typeRank`) of a JSON value: 0 missing or null, 4 array or object. */
  jsonRank(p: P, field: SqlJsonField): string;
  /** The sort value expressions of a JSON value, in ORDER BY order (NULL outside their rank). */
  jsonSortValues(p: P, field: SqlJsonField): string[];
  /** The sort value expression that holds values of `rank`. */
  jsonSortValue(p: P, field: SqlJsonField, rank: SqlSortRank): string;
  /** A cursor value of `rank` as an operand of {@link SqlRecordDialect.jsonSortValue}. */
  jsonSortOperand(p: P, rank: SqlSortRank, value: unknown): string;
  /**
   * Rows after (value, id) by a non-unique column, ties by id (`op` is the ordering's
   * direction), when the engine seeks a row value in an index (`(col, id) > (?, ?)`).
   * Default: `col >= value AND (col > value OR id > pid)`.
   */
  columnAfter?(p: P, field: SqlColumnField, op: "<" | ">", value: string | Date, id: string): string;
  /** An integer operand (LIMIT, OFFSET). */
  integer(p: P, value: number): string;
}
