import { defineBackend } from "@core/protocols/kit";
import { memoryCacheDriver } from "./cache-driver.js";
import { memoryQueueDriver } from "./queue-driver.js";
import { memoryRecordDriver } from "./records-driver.js";
import type { MemoryShared } from "./shared.js";
import { memoryTransportDriver } from "./transport-driver.js";

/** Options of {@link openMemoryBackend}. */
export interface MemoryBackendOptions {
  /** Default interval of the cache's expiry sweep (ms). Default 1000. */
  sweepIntervalMs?: number;
}

/**
 * Everything in this process's memory: fast, isolated per backend object, gone on exit.
 *
 * @example
 * ```ts
 * const backend = new MemoryBackend();
 * await backend.cache("s").set("k", 1);
 * ```
 */
export class MemoryBackend extends defineBackend({
  name: "memory",
  capabilities: {
    cache: true,
    queue: true,
    records: true,
    transport: true,
    maxEntries: true,
    blockingStream: true,
    buckets: true,
    delivery: "at-least-once",
  },
  setup: (lifecycle, options: MemoryBackendOptions = {}): MemoryShared => ({
    lifecycle,
    sweepIntervalMs: options.sweepIntervalMs ?? 1000,
    caches: new Map(),
    queues: new Map(),
    records: new Map(),
    channels: new Map(),
  }),
  cache: memoryCacheDriver,
  queue: memoryQueueDriver,
  records: memoryRecordDriver,
  transport: memoryTransportDriver,
}) {}
