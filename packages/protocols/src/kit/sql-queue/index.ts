/**
 * The shared storage of the SQL backends' queue (and the executor and wake-up pieces the
 * outbox shares): a dialect gives statements, an executor and a wake source.
 *
 * @example
 * ```ts
 * import { sqlQueueDriver, type SqlQueueStatements } from "@core/protocols/kit";
 * ```
 */
export { andThen, type SqlExecutor, type SqlRow, toPromise } from "./sql-executor.js";
export { type SqlQueueParts, sqlQueueDriver } from "./sql-queue-log.js";
export type { SqlQueueStatements } from "./sql-queue-statements.js";
export type { Waiter, WakeSource } from "./wake-source.js";
