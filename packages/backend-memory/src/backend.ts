import { defineBackend, type Lifecycle } from "@core/protocols/kit";
import { memoryCacheDriver } from "./cache-driver.js";
import { memoryQueueDriver } from "./queue-driver.js";
import { memoryRecordDriver } from "./records-driver.js";
import { memoryTransportDriver } from "./transport-driver.js";

/**
 * What one {@link MemoryBackend} shares with its stores: per protocol, a map from store
 * name to that store's data, so handles with the same name share data and others never do.
 */
export interface MemoryShared {
  readonly lifecycle: Lifecycle;
  readonly sweepIntervalMs: number;
  readonly caches: Map<string, unknown>;
  readonly queues: Map<string, unknown>;
  readonly records: Map<string, unknown>;
  readonly channels: Map<string, unknown>;
}

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
