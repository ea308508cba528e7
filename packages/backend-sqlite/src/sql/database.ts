import { checkBeginOptions, type SqlDatabase, SqlTypeRegistry, sqlDatabaseClass } from "@core/protocols";
import type { SqliteShared } from "../shared.js";
import { SqliteExecutor } from "./executor.js";
import { beginSqlite } from "./explicit.js";
import { sqliteMutexFor } from "./mutex.js";
import type { SqliteScope } from "./scope.js";
import { sqliteTypes } from "./types.js";

/**
 * The connection-level executor plus what only the database has: `begin()` for explicit
 * transactions and `registerType()` for custom types.
 */
const SqliteSql = sqlDatabaseClass(SqliteExecutor, async (root: SqliteScope, options) => {
  const checked = checkBeginOptions("sqlite", options, (level) =>
    level === "serializable" ? undefined : "SQLite transactions are always serializable",
  );
  return beginSqlite(root, checked, (scope) => new SqliteExecutor(scope));
});

/**
 * The SQL protocol on the backend's better-sqlite3 connection. It changes no connection
 * setting: foreign-key enforcement is switched on by `openSqliteBackend` for a database it
 * opens, and left as the owner set it on a database passed in. Transactions — callback
 * and explicit (`begin()`) — hold the connection's {@link sqliteMutexFor} mutex while
 * open; calls outside them wait.
 *
 * @example
 * ```ts
 * const db = createSqliteSql(shared);
 * await db.transaction((tx) => tx.execute(sql`insert into ${sql.id("t")} (a) values (${1})`));
 * ```
 */
export function createSqliteSql(shared: SqliteShared): SqlDatabase {
  shared.lifecycle.assertOpen();
  const types = new SqlTypeRegistry("sqlite", sqliteTypes);
  return new SqliteSql({ shared, mutex: sqliteMutexFor(shared.db), depth: 0, types, ended: false });
}
