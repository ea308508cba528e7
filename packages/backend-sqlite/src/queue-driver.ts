import { type QueueDriver, sqlQueueDriver } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import { QUEUE_SQL } from "./queue-sql.js";
import type { SqliteShared } from "./shared.js";
import { sqliteExecutor, sqliteWake } from "./sqlite-executor.js";

/**
 * The sqlite backend's queue storage: the kit's SQL queue over `core_queue`. The next
 * offset is taken inside the writing statement, so offsets are dense, contiguous per
 * batch and never reused, even with writers in other processes or after `trim`. A single
 * put first tries the offset after the last append of this backend (`appendAt`, checked
 * inside the statement) and only on a miss runs the RETURNING append. Blocking
 * readers wait on the connection's notifier (this process's writes at once, other
 * processes' commits through `data_version`).
 *
 * @example
 * ```ts
 * const q = createQueue<string>(sqliteQueueDriver(shared), "events");
 * await q.put("signup"); // 0
 * ```
 */
export function sqliteQueueDriver(shared: SqliteShared): QueueDriver {
  const { lifecycle } = shared;
  return sqlQueueDriver({
    backend: BACKEND,
    lifecycle,
    statements: QUEUE_SQL,
    exec: sqliteExecutor(shared),
    wake: sqliteWake(shared),
    nextOffsets: shared.queueNext,
  });
}
