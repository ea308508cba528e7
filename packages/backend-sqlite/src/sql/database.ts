import type { SqlDatabase } from "@core/protocols";
import type { SqliteShared } from "../shared.js";
import { SqliteExecutor } from "./executor.js";
import { sqliteMutexFor } from "./mutex.js";

/**
 * The SQL protocol on the backend's better-sqlite3 connection. Enables foreign-key
 * enforcement on the connection (SQLite's default is off) so foreign-key violations raise
 * IntegrityError like on every other database. Transactions hold the connection's
 * {@link sqliteMutexFor} mutex while open; calls outside them wait.
 *
 * @example
 * ```ts
 * const db = createSqliteSql(shared);
 * await db.transaction((tx) => tx.execute(sql`insert into ${sql.id("t")} (a) values (${1})`));
 * ```
 */
export function createSqliteSql(shared: SqliteShared): SqlDatabase {
  shared.lifecycle.assertOpen();
  // A no-op inside a transaction, so only when none is open.
  if (!shared.db.inTransaction) shared.db.pragma("foreign_keys = ON");
  return new SqliteExecutor({ shared, mutex: sqliteMutexFor(shared.db), depth: 0, ended: false });
}
