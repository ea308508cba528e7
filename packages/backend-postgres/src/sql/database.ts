import type { SqlDatabase } from "@core/protocols";
import type { PostgresShared } from "../shared.js";
import { PostgresExecutor } from "./executor.js";

/**
 * The SQL protocol on the backend's pg pool. Plain statements take any pooled
 * connection; each transaction runs on one checked-out client, all four isolation levels
 * and read-only honoured, nested transactions as savepoints, `retries` on 40001/40P01.
 * Statements run in the connection's own `search_path`, not the backend's schema.
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
  return new PostgresExecutor({ shared, client: undefined, mutex: undefined, depth: 0, ended: false });
}
