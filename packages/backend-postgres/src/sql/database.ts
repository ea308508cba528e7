import { checkBeginOptions, type SqlDatabase, SqlTypeRegistry, sqlDatabaseClass } from "@core/protocols";
import type { PostgresShared } from "../shared.js";
import { PostgresExecutor } from "./executor.js";
import { beginPostgres } from "./explicit.js";
import type { PostgresScope } from "./scope.js";
import { postgresTypes } from "./types.js";

/**
 * The pool-level executor plus what only the database has: `begin()` for explicit
 * transactions and `registerType()` for custom types.
 */
const PostgresSql = sqlDatabaseClass(PostgresExecutor, async (root: PostgresScope, options) =>
  beginPostgres(root, checkBeginOptions("postgres", options), (scope) => new PostgresExecutor(scope)),
);

/**
 * The SQL protocol on the backend's pg pool. Plain statements take any pooled
 * connection; each transaction — callback or explicit (`begin()`) — runs on one
 * checked-out client, all four isolation levels and read-only honoured, nested
 * transactions as savepoints, `retries` on 40001/40P01. Statements run in the
 * connection's own `search_path`, not the backend's schema.
 *
 * @example
 * ```ts
 * const db = createPostgresSql(shared);
 * await db.transaction((tx) => tx.execute(sql`update ${sql.id("t")} set n = n + 1`), {
 *   isolationLevel: "serializable",
 *   retries: 3,
 * });
 * ```
 */
export function createPostgresSql(shared: PostgresShared): SqlDatabase {
  shared.lifecycle.assertOpen();
  const types = new SqlTypeRegistry("postgres", postgresTypes);
  return new PostgresSql({ shared, client: undefined, mutex: undefined, depth: 0, types, ended: false });
}
