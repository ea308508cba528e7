import type { Lifecycle } from "@core/protocols";
import type { Pool } from "pg";

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
}
