import type { SqlDatabase } from "@core/protocols";
import type { SqliteShared } from "../shared.js";
import { SqliteExecutor } from "./executor.js";
import { sqliteMutexFor } from "./mutex.js";

/**
 * The SQL protocol on the backend's better-sqlite3 connection. It changes no connection
 * setting: foreign-key enforcement is switched on by `openSqliteBackend` for a database it
 * opens, and left as the owner set it on a database passed in. Transactions hold the
 * connection's {@link sqliteMutexFor} mutex while open; calls outside them wait.
 *
 * @example
 * ```ts
 * const db = createSqliteSql(shared);
 * await db.transaction((tx) => tx.execute(sql`insert into ${sql.id("t")} (a) values (${1})`));
 * ```
 */
export function createSqliteSql(shared: SqliteShared): SqlDatabase {
  shared.lifecycle.assertOpen();
  return new SqliteExecutor({ shared, mutex: sqliteMutexFor(shared.db), depth: 0, ended: false });
}
