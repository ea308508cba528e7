import { invalidArgument } from "./errors.js";
import type { ExecuteResult, SqlTypeName, TypeMapper } from "./sql.js";

/** `execute` options after validation. */
export interface CheckedExecuteOptions {
  /** The column whose value in the last returned row becomes `lastInsertId`. */
  readonly returningColumn: string | undefined;
  /** Result columns to convert, with their type names. */
  readonly columnTypes: readonly (readonly [string, SqlTypeName])[];
}

const RETURNING = /\breturning\b/i;

/**
 * Validates `execute(query, options)` before the statement runs: an object whose
 * `returning` is a boolean or a column name (then the statement must carry a RETURNING
 * clause), and whose `columnTypes` maps column names to types `types.has` knows. Anything
 * else is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const checked = checkExecuteOptions("postgres", options, registry, compiled.text);
 * ```
 */
export function checkExecuteOptions(
  backend: string,
  options: unknown,
  types: { has(name: string): boolean },
  text: string,
): CheckedExecuteOptions {
  if (options === undefined) return { returningColumn: undefined, columnTypes: [] };
  if (options === null || typeof options !== "object")
    throw invalidArgument(backend, "execute options must be an object");
  const { returning, columnTypes } = options as { returning?: unknown; columnTypes?: unknown };
  let returningColumn: string | undefined;
  if (typeof returning === "string") {
    if (returning === "") throw invalidArgument(backend, "execute option returning must name a column");
    if (!RETURNING.test(text)) {
      throw invalidArgument(
        backend,
        `returning: "${returning}" reads the statement's RETURNING clause, and it has none; add \`returning ${returning}\``,
      );
    }
    returningColumn = returning;
  } else if (returning !== undefined && typeof returning !== "boolean") {
    throw invalidArgument(backend, "execute option returning must be a boolean or a column name");
  }
  const pairs: [string, SqlTypeName][] = [];
  if (columnTypes !== undefined) {
    if (columnTypes === null || typeof columnTypes !== "object" || Array.isArray(columnTypes)) {
      throw invalidArgument(backend, "execute option columnTypes must be an object { column: type }");
    }
    for (const [column, type] of Object.entries(columnTypes)) {
      if (typeof type !== "string" || !types.has(type)) {
        throw invalidArgument(
          backend,
          `columnTypes.${column}: unknown type ${JSON.stringify(type)}; use a portable type or one registered with registerType`,
        );
      }
      pairs.push([column, type]);
    }
  }
  return { returningColumn, columnTypes: pairs };
}

/**
 * Converts the result's rows in place through `types.fromDatabase` for the `columnTypes`
 * columns a row has, then sets `lastInsertId` from the `returning` column of the last row
 * (when it is a number, bigint or string).
 *
 * @example
 * ```ts
 * return applyExecuteOptions(await runStatement(client, compiled), checked, registry);
 * ```
 */
export function applyExecuteOptions<R>(
  result: ExecuteResult<R>,
  checked: CheckedExecuteOptions,
  types: TypeMapper,
): ExecuteResult<R> {
  if (checked.columnTypes.length > 0) {
    for (const row of result.rows as Record<string, unknown>[]) {
      for (const [column, type] of checked.columnTypes) {
        if (Object.hasOwn(row, column)) row[column] = types.fromDatabase(row[column], type);
      }
    }
  }
  const column = checked.returningColumn;
  const last = result.rows.at(-1) as Record<string, unknown> | undefined;
  if (column !== undefined && last !== undefined) {
    const id = last[column];
    if (typeof id === "number" || typeof id === "bigint" || typeof id === "string") result.lastInsertId = id;
  }
  return result;
}
