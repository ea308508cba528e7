import type { ParsedField } from "../../filter.js";
import type { SqlParams } from "./sql-params.js";

/** A comparison the filter compiler asks a dialect to emit. */
export type SqlComparison = "=" | "<>" | ">" | ">=" | "<" | "<=";

/** The JSON type of a filter operand a content/metadata field is compared with. */
export type SqlJsonKind = "string" | "number" | "boolean";

/** A top-level record column: its field name and whether it holds strings or dates. */
export interface SqlColumnField {
  root: Exclude<ParsedField["root"], "content" | "metadata">;
  kind: "string" | "date";
}

/** A path into the `content` or `metadata` JSON of a record (never empty). */
export interface SqlJsonField {
  root: "content" | "metadata";
  path: readonly string[];
}

/**
 * What one SQL engine contributes to the shared filter compiler ({@link whereSql}): the
 * text of each primitive test. The compiler owns the semantics (type-strict operands,
 * presence, top-level fields always present, an empty `in` or a mismatched operand is
 * false), so a dialect is only asked about operands of the field's own type; it owns the
 * SQL: placeholders (through `p`), JSON path extraction, type tests, collation and
 * whatever form its indexes can serve.
 *
 * @example
 * ```ts
 * const where = whereSql(myDialect, new SqlParams(() => "?"), "feed", "gold", conditions);
 * ```
 */
export interface SqlDialect<P extends SqlParams = SqlParams> {
  /** Always-true and always-false conditions (`TRUE`/`1`, `FALSE`/`0`). */
  readonly true: string;
  readonly false: string;
  /** The SQL of a key column in a record query (`r.ns`, `ns`). */
  column(name: "ns" | "layer" | "id" | "natural_key"): string;
  /** A top-level column compared with an operand of its kind. */
  columnCompare(p: P, field: SqlColumnField, op: SqlComparison, operand: string | Date): string;
  /** A top-level column equal to one of `operands` (all of its kind, at least one). */
  columnIn(p: P, field: SqlColumnField, operands: readonly (string | Date)[]): string;
  /** A string column starting with `prefix` (code point order). */
  columnPrefix(p: P, field: SqlColumnField, prefix: string): string;
  /** The JSON value is present: neither missing nor JSON `null`. */
  jsonPresent(p: P, field: SqlJsonField): string;
  /** The JSON value is missing or JSON `null`. */
  jsonAbsent(p: P, field: SqlJsonField): string;
  /** The JSON value is of `kind` and compares with `operand` (strings by code point). */
  jsonCompare(
    p: P,
    field: SqlJsonField,
    op: SqlComparison,
    operand: string | number | boolean,
    kind: SqlJsonKind,
  ): string;
  /** The JSON value equals one of `operands` (each of its own type; at least one). */
  jsonIn(p: P, field: SqlJsonField, operands: readonly (string | number | boolean)[]): string;
  /** The JSON value is a string starting with `prefix` (`""`: any string). */
  jsonPrefix(p: P, field: SqlJsonField, prefix: string): string;
}
