import { type BackendClass, defineBackend, type Lifecycle } from "@core/protocols/kit";
import { sqliteCacheDriver } from "./cache-driver.js";
import type { BetterSqliteDatabase } from "./driver.js";
import { sqliteQueueDriver } from "./queue-driver.js";
import { sqliteRecordDriver } from "./records-driver.js";
import { applySchema } from "./schema.js";
import { createShared, type SqliteShared } from "./shared.js";
import { createSqliteSql } from "./sql/database.js";
import type { SqliteDatabase } from "./sqlite-database.js";
import { sqliteTransportDriver } from "./transport-driver.js";

interface SqliteState extends SqliteShared {
  /** The backend opened the database, so `close()` closes it. */
  readonly owned: boolean;
}

function setup(
  lifecycle: Lifecycle,
  database: SqliteDatabase,
  options: { owned: boolean; isFile: boolean },
): SqliteState {
  // The public type is structural (no @types/better-sqlite3 for consumers); the object is
  // a real better-sqlite3 Database, checked by openSqliteBackend.
  const db = database as unknown as BetterSqliteDatabase;
  applySchema(db);
  return Object.assign(createShared(db, lifecycle, options.isFile), { owned: options.owned });
}

function release(state: SqliteState): void {
  // Last: the stores' cleanups may still need the connection.
  try {
    state.notifier.close();
  } finally {
    if (state.owned) state.db.close();
  }
}

// Published with no state at all: its members hold better-sqlite3's own types, and a
// user's compiler must not need @types/better-sqlite3.
const SqliteBase: BackendClass<object, [database: SqliteDatabase, options: { owned: boolean; isFile: boolean }]> =
  defineBackend({
    name: "sqlite",
    capabilities: (state: SqliteState) => ({
      persistent: state.isFile,
      crossProcess: state.isFile,
      maxEntries: true,
      blockingStream: true,
      buckets: true,
      delivery: "at-least-once",
      isolationLevels: ["serializable"],
    }),
    setup,
    cache: sqliteCacheDriver,
    queue: sqliteQueueDriver,
    records: sqliteRecordDriver,
    transport: sqliteTransportDriver,
    sql: createSqliteSql,
    close: release,
  });

/**
 * All five protocols on one SQLite database (better-sqlite3).
 *
 * @example
 * ```ts
 * const backend = new SqliteBackend(db, { owned: true, isFile: true });
 * ```
 */
export class SqliteBackend extends SqliteBase {}
