import {
  type Backend,
  type Cache,
  type CacheOptions,
  type Capabilities,
  defineCapabilities,
  Lifecycle,
  type Queue,
  type QueueOptions,
  quoteIdentifier,
  type RecordStore,
  type RecordStoreOptions,
  type SqlDatabase,
  type Transport,
  type TransportOptions,
} from "@core/protocols";
import { createCache, createQueue, createRecordStore, createTransport } from "@core/protocols/kit";
import type pg from "pg";
import { postgresCacheDriver } from "./cache-driver.js";
import { BACKEND } from "./errors.js";
import { Listener, notifyChannel } from "./listener.js";
import type { PostgresPoolLike } from "./pool.js";
import { postgresQueueDriver } from "./queue-driver.js";
import { postgresRecordDriver } from "./records-driver.js";
import type { StoreShared } from "./shared.js";
import { createPostgresSql } from "./sql/database.js";
import { postgresTransportDriver } from "./transport-driver.js";

const CAPABILITIES: Capabilities = defineCapabilities({
  cache: true,
  queue: true,
  records: true,
  transport: true,
  sql: true,
  persistent: true,
  crossProcess: true,
  maxEntries: true,
  blockingStream: true,
  buckets: true,
  delivery: "at-least-once",
  isolationLevels: ["read uncommitted", "read committed", "repeatable read", "serializable"],
});

/**
 * All five protocols on one PostgreSQL schema through a `pg.Pool` (any
 * {@link PostgresPoolLike}). A pool the backend created (`owned`) is ended by `close()`;
 * a pool the user passed in is never ended. Blocking readers and subscribers share one
 * dedicated LISTEN connection, opened with `listenerConfig` (default: the pool's
 * `options`). Use `openPostgresBackend`, which also creates the schema's tables.
 *
 * @example
 * ```ts
 * const backend = new PostgresBackend(pool, { schema: "core", owned: false });
 * await backend.cache("s").set("k", 1);
 * ```
 */
export class PostgresBackend implements Backend {
  readonly name = BACKEND;
  readonly capabilities = CAPABILITIES;
  readonly #shared: StoreShared;
  #sql: SqlDatabase | undefined;

  constructor(pool: PostgresPoolLike, options: { schema: string; owned: boolean; listenerConfig?: object }) {
    const lifecycle = new Lifecycle(BACKEND);
    const channel = notifyChannel(options.schema);
    const listenerConfig = (options.listenerConfig ?? pool.options ?? {}) as pg.ClientConfig;
    const listener = new Listener(listenerConfig, channel);
    this.#shared = {
      // The stores use pg's own types; a PostgresPoolLike is what they call at run time.
      pool: pool as unknown as pg.Pool,
      lifecycle,
      schema: options.schema,
      quotedSchema: quoteIdentifier(options.schema),
      listener,
      notifyChannel: channel,
      cacheCounters: new Map(),
    };
    // Registered first, so they run last: after every reader and subscriber ended.
    if (options.owned) lifecycle.onClose(() => pool.end());
    lifecycle.onClose(() => listener.close());
  }

  /** The schema this backend's tables live in. */
  get schema(): string {
    return this.#shared.schema;
  }

  /** Server process id of the LISTEN connection, once started (for fault tests and diagnostics). */
  get listenerProcessId(): number | undefined {
    return this.#shared.listener.processId;
  }

  /** How many times the LISTEN connection was (re)established. */
  get listenerConnections(): number {
    return this.#shared.listener.connections;
  }

  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    this.#shared.lifecycle.assertOpen();
    return createCache<V>(postgresCacheDriver(this.#shared), name, options);
  }

  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    return createQueue<V>(postgresQueueDriver(this.#shared), name, options);
  }

  records(name: string, options?: RecordStoreOptions): RecordStore {
    this.#shared.lifecycle.assertOpen();
    return createRecordStore(postgresRecordDriver(this.#shared), name, options);
  }

  transport(options?: TransportOptions): Transport {
    this.#shared.lifecycle.assertOpen();
    return createTransport(postgresTransportDriver(this.#shared), options);
  }

  sql(): SqlDatabase {
    this.#shared.lifecycle.assertOpen();
    this.#sql ??= createPostgresSql(this.#shared);
    return this.#sql;
  }

  close(): Promise<void> {
    return this.#shared.lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
