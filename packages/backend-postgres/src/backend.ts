import {
  type BackendClass,
  defineBackend,
  type Lifecycle,
  quoteIdentifier,
  SHARED_STORE_FEATURES,
} from "@core/protocols/kit";
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

interface PostgresState extends StoreShared {
  /** The backend created the pool, so `close()` ends it. */
  readonly owned: boolean;
}

function setup(
  lifecycle: Lifecycle,
  pool: PostgresPoolLike,
  options: { schema: string; owned: boolean; listenerConfig?: object },
): PostgresState {
  const channel = notifyChannel(options.schema);
  const listenerConfig = (options.listenerConfig ?? pool.options ?? {}) as pg.ClientConfig;
  return {
    // The stores use pg's own types; a PostgresPoolLike is what they call at run time.
    pool: pool as unknown as pg.Pool,
    lifecycle,
    schema: options.schema,
    quotedSchema: quoteIdentifier(options.schema),
    listener: new Listener(listenerConfig, channel),
    notifyChannel: channel,
    cacheCounters: new Map(),
    owned: options.owned,
  };
}

/**
 * The part of the state the backend's own getters read. The published declarations see
 * only this, so a user's compiler never needs pg's types (no `@types/pg`).
 */
interface PostgresPublicState {
  readonly schema: string;
  readonly listener: { readonly processId: number | undefined; readonly connections: number };
}

type PostgresOpenArgs = [pool: PostgresPoolLike, options: { schema: string; owned: boolean; listenerConfig?: object }];

async function release(state: PostgresState): Promise<void> {
  // After every reader and subscriber ended: the LISTEN connection first, then the pool.
  try {
    await state.listener.close();
  } finally {
    if (state.owned) await state.pool.end();
  }
}

const PostgresBase: BackendClass<PostgresPublicState, PostgresOpenArgs> = defineBackend({
  name: BACKEND,
  capabilities: {
    ...SHARED_STORE_FEATURES,
    isolationLevels: ["read uncommitted", "read committed", "repeatable read", "serializable"],
  },
  setup,
  cache: postgresCacheDriver,
  queue: postgresQueueDriver,
  records: postgresRecordDriver,
  transport: postgresTransportDriver,
  sql: createPostgresSql,
  close: release,
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
export class PostgresBackend extends PostgresBase {
  /** The schema this backend's tables live in. */
  get schema(): string {
    return this.state.schema;
  }

  /** Server process id of the LISTEN connection, once started (for fault tests and diagnostics). */
  get listenerProcessId(): number | undefined {
    return this.state.listener.processId;
  }

  /** How many times the LISTEN connection was (re)established. */
  get listenerConnections(): number {
    return this.state.listener.connections;
  }
}
