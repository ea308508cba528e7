/**
 * The queue protocol's shared layer: `createQueue(driver, name, options)` builds the
 * public queue from a narrow {@link QueueDriver}.
 *
 * @example
 * ```ts
 * import { createQueue, type QueueDriver } from "@core/protocols/kit";
 * ```
 */
export { abortableSleep } from "./abortable-sleep.js";
export { createQueue } from "./create-queue.js";
export type { DecodeStored, QueueDriver, QueueLogDriver, QueueLogStats, QueueWatch } from "./queue-driver.js";
export { decodeStored, storedDecoder } from "./stored-value.js";
