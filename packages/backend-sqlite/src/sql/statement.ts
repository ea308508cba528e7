import type { CompiledQuery, ExecuteResult } from "@core/protocols";
import type BetterSqlite3 from "better-sqlite3";
import { toBackendError } from "../errors.js";
import type { SqliteShared } from "../shared.js";
import { narrowInteger, sqliteTypes } from "./types.js";

const INSERT = /^\s*(insert|replace)\b/i;

type Statement = BetterSqlite3.Statement<unknown[]>;

// sql() statements have a cache of their own: a statement carries modes (safeIntegers
// here, pluck in the stores), so a user's query that happens to spell a store's statement
// must not share it — the store would start reading bigints, or the user plucked values.
const caches = new WeakMap<SqliteShared, Map<string, Statement>>();

function prepare(shared: SqliteShared, text: string): Statement {
  let cache = caches.get(shared);
  if (cache === undefined) {
    cache = new Map();
    caches.set(shared, cache);
  }
  let statement = cache.get(text);
  if (statement === undefined) {
    statement = shared.db.prepare<unknown[]>(text).safeIntegers(true);
    cache.set(text, statement);
  }
  return statement;
}

function narrowRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(row)) {
    const value = row[key];
    if (typeof value === "bigint") row[key] = narrowInteger(value);
  }
  return row;
}

/**
 * Runs one compiled statement synchronously on the connection. Integers are read as
 * bigint and narrowed to numbers when exact, so values beyond 2^53 never lose precision.
 * Parameters go through the untyped `toDatabase` first.
 *
 * @example
 * ```ts
 * const { rows } = runStatement(shared, { text: "select ? as x", params: [1] });
 * ```
 */
export function runStatement<R>(shared: SqliteShared, query: CompiledQuery): ExecuteResult<R> {
  const params = query.params.map((p) => sqliteTypes.toDatabase(p));
  try {
    const statement = prepare(shared, query.text);
    if (statement.reader) {
      const rows = (statement.all(...params) as Record<string, unknown>[]).map(narrowRow);
      // A reader that writes is INSERT/UPDATE/DELETE … RETURNING: one row per changed row.
      return { rows: rows as R[], affectedRows: statement.readonly ? 0 : rows.length };
    }
    const info = statement.run(...params);
    const result: ExecuteResult<R> = { rows: [], affectedRows: Number(info.changes) };
    if (info.changes > 0 && INSERT.test(query.text)) {
      result.lastInsertId = narrowInteger(info.lastInsertRowid) as number | bigint;
    }
    return result;
  } catch (err) {
    throw toBackendError(err);
  }
}

/**
 * Runs a statement that takes no parameters and returns nothing (BEGIN, COMMIT, SAVEPOINT…).
 *
 * @example
 * ```ts
 * control(shared, "BEGIN IMMEDIATE");
 * ```
 */
export function control(shared: SqliteShared, text: string): void {
  try {
    prepare(shared, text).run();
  } catch (err) {
    throw toBackendError(err);
  }
}
