import type { CompiledQuery, ExecuteResult } from "@core/protocols";
import type { QueryResult } from "pg";
import { mapPostgresError } from "./errors.js";
import { postgresTypeParsers, postgresTypes } from "./types.js";

/** Anything that runs a query config: the pool or a checked-out client. */
export interface Queryable {
  query(config: { text: string; values?: unknown[]; types?: unknown }): Promise<QueryResult | QueryResult[]>;
}

const WRITES = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"]);

function affected(result: QueryResult): number {
  return WRITES.has(result.command) ? (result.rowCount ?? 0) : 0;
}

/**
 * Runs one compiled query with this package's per-query type parsers; parameters go
 * through the untyped `toDatabase` first. Raw text holding several statements (no params)
 * returns the last statement's rows and the summed affected rows.
 *
 * @example
 * ```ts
 * const { rows } = await runStatement(pool, { text: "select $1::int as x", params: [1] });
 * ```
 */
export async function runStatement<R>(target: Queryable, query: CompiledQuery): Promise<ExecuteResult<R>> {
  const values = query.params.map((p) => postgresTypes.toDatabase(p));
  const types = await postgresTypeParsers();
  let result: QueryResult | QueryResult[];
  try {
    result = await target.query({ text: query.text, values, types });
  } catch (err) {
    throw mapPostgresError(err);
  }
  const results = Array.isArray(result) ? result : [result];
  const last = results[results.length - 1];
  return {
    rows: (last?.rows ?? []) as R[],
    affectedRows: results.reduce((sum, r) => sum + affected(r), 0),
  };
}

/**
 * Runs a parameterless control statement (BEGIN, COMMIT, SAVEPOINT…).
 *
 * @example
 * ```ts
 * await control(client, "COMMIT");
 * ```
 */
export async function control(target: Queryable, text: string): Promise<void> {
  try {
    await target.query({ text });
  } catch (err) {
    throw mapPostgresError(err);
  }
}
