import { type QueueDriver, type SqlExecutor, sqlQueueDriver } from "@core/protocols/kit";
import { query } from "./db.js";
import { BACKEND } from "./errors.js";
import { queueStatements } from "./queue-sql.js";
import type { StoreShared } from "./shared.js";

/**
 * The shared SQL layers' executor on the backend's pool: each statement a prepared
 * query, tracked by the lifecycle, failures mapped to `BackendError`.
 *
 * @example
 * ```ts
 * const exec = postgresExecutor(shared);
 * ```
 */
export function postgresExecutor(shared: StoreShared): SqlExecutor {
  return {
    rows: (text, params, operation) => query(shared, operation, text, params).then((result) => result.rows),
    changes: (text, params, operation) => query(shared, operation, text, params).then((r) => r.rowCount ?? 0),
  };
}

/**
 * The postgres backend's queue storage: the kit's SQL queue over `queue_entries` at
 * dense offsets under a counter row in `queue_topics`. Bucket i of topic t is stored as
 * topic `t + "\u001f" + i`. Blocking readers wait on the backend's LISTEN connection (the
 * append NOTIFYs `q:<topic>` in its own statement).
 *
 * @example
 * ```ts
 * const q = createQueue<string>(postgresQueueDriver(shared), "events");
 * await q.put("signup"); // 0
 * ```
 */
export function postgresQueueDriver(shared: StoreShared): QueueDriver {
  return sqlQueueDriver({
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    statements: queueStatements(shared.quotedSchema, shared.notifyChannel),
    exec: postgresExecutor(shared),
    wake: shared.listener,
    bucketSeparator: "\u001f",
  });
}
