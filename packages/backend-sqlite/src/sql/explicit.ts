import {
  AsyncMutex,
  type CheckedTransactionOptions,
  openExplicitTransaction,
  type SqlExecutor,
  type SqlTransaction,
} from "@core/protocols";
import type { SqliteScope } from "./scope.js";
import { control } from "./statement.js";

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // The error that ended the transaction is the one worth reporting.
  }
}

/**
 * `db.begin()` on SQLite: takes the connection's mutex and keeps it until the transaction
 * finishes — every other statement on the connection (SQL, cache, queue, records,
 * transport) waits meanwhile, exactly as during a callback transaction, because SQLite
 * has one connection and anything run on it would join the open transaction. BEGIN
 * IMMEDIATE (BEGIN DEFERRED + `PRAGMA query_only` when read-only); closing the backend
 * rolls back a transaction still open.
 *
 * @example
 * ```ts
 * const tx = await beginSqlite(root, checked, (s) => new SqliteExecutor(s));
 * ```
 */
export async function beginSqlite(
  root: SqliteScope,
  options: CheckedTransactionOptions,
  open: (scope: SqliteScope) => SqlExecutor,
): Promise<SqlTransaction> {
  const { shared } = root;
  const release = await root.mutex.acquire();
  try {
    control(shared, options.readOnly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
    if (options.readOnly) shared.db.pragma("query_only = ON");
  } catch (err) {
    if (shared.db.inTransaction) quietly(() => control(shared, "ROLLBACK"));
    release();
    throw err;
  }
  const mutex = new AsyncMutex();
  const scope: SqliteScope = { shared, mutex, depth: 1, types: root.types, ended: false };
  const end = async (commit: boolean): Promise<void> => {
    try {
      if (commit) control(shared, "COMMIT");
      // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL).
      else if (shared.db.inTransaction) control(shared, "ROLLBACK");
    } catch (err) {
      // A failed COMMIT (a deferred foreign key, say) leaves the transaction open: end it.
      if (shared.db.inTransaction) quietly(() => control(shared, "ROLLBACK"));
      throw err;
    } finally {
      if (options.readOnly && shared.db.open) quietly(() => shared.db.pragma("query_only = OFF"));
      release();
    }
  };
  return openExplicitTransaction(shared.lifecycle, {
    backend: "sqlite",
    executor: open(scope),
    mutex,
    scope,
    control: (text) => control(shared, text),
    end,
  });
}
