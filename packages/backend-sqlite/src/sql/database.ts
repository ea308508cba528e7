import type { SqlDatabase } from "@core/protocols";
import { createSqlDatabase, type SqlSession, sqliteDialect } from "@core/protocols/kit";
import type { SqliteShared } from "../shared.js";
import { sqliteMutexFor } from "./mutex.js";
import { control, runStatement } from "./statement.js";
import { sqliteTypes } from "./types.js";

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // The error that ended the transaction is the one worth reporting.
  }
}

/**
 * BEGIN IMMEDIATE takes the write lock up front, so a writer never fails half-way with
 * BUSY; a read-only transaction needs only a snapshot (BEGIN DEFERRED + `query_only`).
 * The caller already holds the connection's mutex.
 */
async function begin(shared: SqliteShared, readOnly: boolean): Promise<SqlSession<SqliteShared>> {
  const { db } = shared;
  try {
    control(shared, readOnly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
    if (readOnly) db.pragma("query_only = ON");
  } catch (err) {
    if (db.inTransaction) quietly(() => control(shared, "ROLLBACK"));
    throw err;
  }
  const end = async (commit: boolean): Promise<void> => {
    try {
      if (commit) control(shared, "COMMIT");
      // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL).
      else if (db.inTransaction) control(shared, "ROLLBACK");
    } catch (err) {
      // A failed COMMIT (a deferred foreign key, say) leaves the transaction open: end it.
      if (db.inTransaction) quietly(() => control(shared, "ROLLBACK"));
      throw err;
    } finally {
      if (readOnly && db.open) quietly(() => db.pragma("query_only = OFF"));
    }
  };
  return { connection: shared, end };
}

/**
 * The SQL protocol on the backend's better-sqlite3 connection. It changes no connection
 * setting: foreign-key enforcement is switched on by `openSqliteBackend` for a database it
 * opens, and left as the owner set it on a database passed in. Transactions — callback
 * and explicit (`begin()`) — hold the connection's {@link sqliteMutexFor} mutex while
 * open: every other statement on the connection (SQL, cache, queue, records, transport)
 * waits meanwhile, because anything run on it would join the open transaction. Integers
 * are read as bigint and narrowed to numbers when exact; `SERIALIZATION` (SQLITE_BUSY)
 * re-runs a callback transaction up to `retries` times.
 *
 * @example
 * ```ts
 * const db = createSqliteSql(shared);
 * await db.transaction((tx) => tx.execute(sql`insert into ${sql.id("t")} (a) values (${1})`));
 * ```
 */
export function createSqliteSql(shared: SqliteShared): SqlDatabase {
  return createSqlDatabase<SqliteShared>({
    backend: "sqlite",
    dialect: sqliteDialect,
    types: sqliteTypes,
    lifecycle: shared.lifecycle,
    connectionMutex: sqliteMutexFor(shared.db),
    unsupportedLevel: (level) => (level === "serializable" ? undefined : "SQLite transactions are always serializable"),
    retryMaxDelayMs: 200,
    run: (_connection, query) => runStatement(shared, query),
    control,
    begin: (options) => begin(shared, options.readOnly),
  });
}
