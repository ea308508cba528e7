import {
  AsyncMutex,
  type CheckedTransactionOptions,
  openExplicitTransaction,
  type SqlExecutor,
  type SqlTransaction,
} from "@core/protocols";
import type { PoolClient } from "pg";
import { mapPostgresError } from "./errors.js";
import type { PostgresScope } from "./scope.js";
import { control } from "./statement.js";
import { beginText } from "./transaction.js";

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * `db.begin()` on PostgreSQL: checks one client out of the pool and keeps it until the
 * transaction finishes (the pool has one connection fewer meanwhile; other callers are
 * unaffected). A client whose ROLLBACK fails is discarded, not reused. Closing the backend
 * rolls back a transaction still open, so the pool can end.
 *
 * @example
 * ```ts
 * const tx = await beginPostgres(root, checked, (s) => new PostgresExecutor(s));
 * ```
 */
export async function beginPostgres(
  root: PostgresScope,
  options: CheckedTransactionOptions,
  open: (scope: PostgresScope) => SqlExecutor,
): Promise<SqlTransaction> {
  const { shared } = root;
  let client: PoolClient;
  try {
    client = await shared.pool.connect();
  } catch (err) {
    throw mapPostgresError(err);
  }
  try {
    await control(client, beginText(options));
  } catch (err) {
    client.release(asError(err));
    throw err;
  }
  const mutex = new AsyncMutex();
  const scope: PostgresScope = { shared, client, mutex, depth: 1, types: root.types, ended: false };
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
  return openExplicitTransaction(shared.lifecycle, {
    backend: "postgres",
    executor: open(scope),
    mutex,
    scope,
    control: (text) => control(client, text),
    end,
  });
}
