import type { Lifecycle } from "@core/protocols/kit";
import type { Pool } from "pg";
import type { Listener } from "./listener.js";

/**
 * What one Postgres backend shares with its stores: the pool, the lifecycle and the
 * schema its tables live in.
 */
export interface PostgresShared {
  readonly pool: Pool;
  readonly lifecycle: Lifecycle;
  /** Unquoted schema name (option `schema`, default `core`). */
  readonly schema: string;
  /** The schema quoted for SQL text (`"core"`). */
  readonly quotedSchema: string;
  /** The dedicated LISTEN connection (started on first blocking read or subscription). */
  readonly listener?: Listener;
  /** The NOTIFY channel of this schema (every process opening it uses the same one). */
  readonly notifyChannel?: string;
  /** Client-side cache counters per namespace (this backend object only). */
  readonly cacheCounters?: Map<string, CacheCounters>;
}

/** Hits, misses and evictions a backend object has seen for one cache namespace. */
export interface CacheCounters {
  hits: number;
  misses: number;
  evictions: number;
}

/** A {@link PostgresShared} with the optional parts the stores need filled in. */
export type StoreShared = Required<PostgresShared>;
