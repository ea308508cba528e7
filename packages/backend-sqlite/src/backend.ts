import {
  type Backend,
  type Cache,
  type CacheOptions,
  type Capabilities,
  defineCapabilities,
  Lifecycle,
  type Queue,
  type QueueOptions,
  type RecordStore,
  type RecordStoreOptions,
  type SqlDatabase,
  type Transport,
  type TransportOptions,
} from "@core/protocols";
import { createCache, createQueue, createRecordStore, createTransport } from "@core/protocols/kit";
import { sqliteCacheDriver } from "./cache-driver.js";
import type { BetterSqliteDatabase } from "./driver.js";
import { sqliteQueueDriver } from "./queue-driver.js";
import { sqliteRecordDriver } from "./records-driver.js";
import { applySchema } from "./schema.js";
import { createShared, type SqliteShared } from "./shared.js";
import { createSqliteSql } from "./sql/database.js";
import type { SqliteDatabase } from "./sqlite-database.js";
import { sqliteTransportDriver } from "./transport-driver.js";

function capabilitiesFor(isFile: boolean): Capabilities {
  return defineCapabilities({
    cache: true,
    queue: true,
    records: true,
    transport: true,
    sql: true,
    persistent: isFile,
    crossProcess: isFile,
    maxEntries: true,
    blockingStream: true,
    buckets: true,
    delivery: "at-least-once",
    isolationLevels: ["serializable"],
  });
}

/**
 * All five protocols on one SQLite database (better-sqlite3).
 *
 * @example
 * ```ts
 * const backend = new SqliteBackend(db, { owned: true, isFile: true });
 * ```
 */
export class SqliteBackend implements Backend {
  readonly name = "sqlite";
  readonly capabilities: Capabilities;
  readonly #shared: SqliteShared;
  #sql: SqlDatabase | undefined;

  constructor(database: SqliteDatabase, options: { owned: boolean; isFile: boolean }) {
    // The public type is structural (no @types/better-sqlite3 for consumers); the object is
    // a real better-sqlite3 Database, checked by openSqliteBackend.
    const db = database as unknown as BetterSqliteDatabase;
    const lifecycle = new Lifecycle("sqlite");
    applySchema(db);
    this.#shared = createShared(db, lifecycle, options.isFile);
    this.capabilities = capabilitiesFor(options.isFile);
    // Registered first so it runs last: stores' cleanups may still need the connection.
    if (options.owned) lifecycle.onClose(() => void db.close());
    const notifier = this.#shared.notifier;
    lifecycle.onClose(() => notifier.close());
  }

  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    this.#shared.lifecycle.assertOpen();
    return createCache<V>(sqliteCacheDriver(this.#shared), name, options);
  }

  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    return createQueue<V>(sqliteQueueDriver(this.#shared), name, options);
  }

  records(name: string, options?: RecordStoreOptions): RecordStore {
    this.#shared.lifecycle.assertOpen();
    return createRecordStore(sqliteRecordDriver(this.#shared), name, options);
  }

  transport(options?: TransportOptions): Transport {
    this.#shared.lifecycle.assertOpen();
    return createTransport(sqliteTransportDriver(this.#shared), options);
  }

  sql(): SqlDatabase {
    this.#shared.lifecycle.assertOpen();
    this.#sql ??= createSqliteSql(this.#shared);
    return this.#sql;
  }

  close(): Promise<void> {
    return this.#shared.lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
