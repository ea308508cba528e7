import { createBucketedQueue } from "../../bucketed-queue.js";
import type { Queue, QueueOptions } from "../../queue.js";
import { checkQueueOptions } from "../../queue-input.js";
import { assertName } from "../../validation.js";
import { LogQueue } from "./log-queue.js";
import type { QueueDriver } from "./queue-driver.js";
import { bufferingOf, WriteBuffer } from "./write-buffer.js";

/**
 * Builds `backend.queue(name, options)` from a driver: validates the name and options,
 * opens one log per bucket (bucket `i` of topic `t` is the log `t + separator + i`; names
 * never contain control characters, so it cannot clash), routes bucketed writes by key,
 * and — unless the driver buffers natively — buffers writes client-side when `batchSize`,
 * `flushIntervalMs` or `maxBuffered` is set (see PROTOCOLS.md §2).
 *
 * @example
 * ```ts
 * queue<V>(name: string, options?: QueueOptions): Queue<V> {
 *   this.#lifecycle.assertOpen();
 *   return createQueue<V>(this.#queueDriver, name, options);
 * }
 * ```
 */
export function createQueue<V>(driver: QueueDriver, name: string, options?: QueueOptions): Queue<V> {
  const { backend, lifecycle } = driver;
  assertName(backend, name, "topic name");
  const { codec, buckets } = checkQueueOptions(backend, options);
  const buffering = driver.nativeBuffering === true ? undefined : bufferingOf(options);
  const open = (storageName: string) => {
    const log = driver.openLog(storageName, options);
    const buffer = buffering === undefined ? undefined : new WriteBuffer(log, lifecycle, buffering);
    return new LogQueue<V>(backend, lifecycle, name, log, codec, buffer);
  };
  if (buckets === 1) return open(name);
  const separator = driver.bucketSeparator ?? "\u0000";
  const children: Queue<V>[] = [];
  for (let i = 0; i < buckets; i++) children.push(open(`${name}${separator}${i}`));
  return createBucketedQueue<V>({ backend, lifecycle, name, children });
}
