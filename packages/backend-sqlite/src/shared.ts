import type { Lifecycle } from "@core/protocols";
import type { SqliteDatabase } from "./driver.js";

/**
 * What one {@link SqliteBackend} shares with its stores: the connection, the lifecycle,
 * and a statement cache so each SQL text is prepared once per connection.
 */
export interface SqliteShared {
  readonly db: SqliteDatabase;
  readonly lifecycle: Lifecycle;
  /** Prepared statements by SQL text. */
  readonly statements: Map<string, ReturnType<SqliteDatabase["prepare"]>>;
  /** Prepares (once) and returns the statement for `sql`. */
  prepare(sql: string): ReturnType<SqliteDatabase["prepare"]>;
  /** True when the database is a file (other processes may share it). */
  readonly isFile: boolean;
}
