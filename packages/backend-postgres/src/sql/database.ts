import type { SqlDatabase } from "@core/protocols";
import {
  type CheckedTransactionOptions,
  createSqlDatabase,
  postgresDialect,
  type SqlSession,
} from "@core/protocols/kit";
import type { Pool, PoolClient } from "pg";
import type { PostgresShared } from "../shared.js";
import { mapPostgresError } from "./errors.js";
import { control, runStatement } from "./statement.js";
import { postgresTypes } from "./types.js";

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** `BEGIN [ISOLATION LEVEL …] [READ ONLY]` for validated options. */
function beginText(options: CheckedTransactionOptions): string {
  let text = "BEGIN";
  if (options.isolationLevel) text += ` ISOLATION LEVEL ${options.isolationLevel.toUpperCase()}`;
  if (options.readOnly) text += " READ ONLY";
  return text;
}

/**
 * Checks one client out of the pool for the transaction (the pool has one connection
 * fewer meanwhile; other callers are unaffected). A client whose ROLLBACK fails is
 * discarded, not reused.
 */
async function begin(pool: Pool, options: CheckedTransactionOptions): Promise<SqlSession<PoolClient>> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw mapPostgresError(err);
  }
  try {
    await control(client, beginText(options));
  } catch (err) {
    client.release(asError(err));
    throw err;
  }
  const end = async (commit: boolean): Promise<void> => {
    let broken: Error | undefined;
    try {
      await control(client, commit ? "COMMIT" : "ROLLBACK");
    } catch (err) {
      // The server rolls a failed COMMIT back; if even ROLLBACK fails the connection is unusable.
      if (commit) {
        await control(client, "ROLLBACK").catch((rollbackError: unknown) => {
          broken = asError(rollbackError);
        });
      } else {
        broken = asError(err);
      }
      throw err;
    } finally {
      client.release(broken);
    }
  };
  return { connection: client, end };
}

/**
 * The SQL protocol on the backend's pg pool. Plain statements take any pooled
 * connection; each transaction — callback or explicit (`begin()`) — runs on one
 * checked-out client, all four isolation levels and read-only honoured, nested
 * transactions as savepoints, `retries` on 40001/40P01. Statements run in the
 * connection's own `search_path`, not the backend's schema. `returning: "id"` sets
 * `lastInsertId` from the RETURNING rows (PostgreSQL has no other way to report a
 * generated key).
 *
 * @example
 * ```ts
 * const db = createPostgresSql(shared);
 * await db.transaction((tx) => tx.execute(sql`update ${sql.id("t")} set n = n + 1`), {
 *   isolationLevel: "serializable",
 *   retries: 3,
 * });
 * ```
 */
export function createPostgresSql(shared: PostgresShared): SqlDatabase {
  const { pool } = shared;
  return createSqlDatabase<PoolClient>({
    backend: "postgres",
    dialect: postgresDialect,
    types: postgresTypes,
    lifecycle: shared.lifecycle,
    run: (client, query) => runStatement(client ?? pool, query),
    control,
    begin: (options) => begin(pool, options),
  });
}
