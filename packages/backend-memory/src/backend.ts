import {
  type Backend,
  type Cache,
  type CacheOptions,
  type Capabilities,
  defineCapabilities,
  Lifecycle,
  notSupported,
  type Queue,
  type QueueOptions,
  type RecordStore,
  type RecordStoreOptions,
  type SqlDatabase,
  type Transport,
  type TransportOptions,
} from "@core/protocols";
import { createCache, createQueue, createRecordStore, createTransport } from "@core/protocols/kit";
import { memoryCacheDriver } from "./cache-driver.js";
import { memoryQueueDriver } from "./queue-driver.js";
import { memoryRecordDriver } from "./records-driver.js";
import type { MemoryShared } from "./shared.js";
import { memoryTransportDriver } from "./transport-driver.js";

const CAPABILITIES: Capabilities = defineCapabilities({
  cache: true,
  queue: true,
  records: true,
  transport: true,
  sql: false,
  persistent: false,
  crossProcess: false,
  maxEntries: true,
  blockingStream: true,
  buckets: true,
  delivery: "at-least-once",
});

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
export class MemoryBackend implements Backend {
  readonly name = "memory";
  readonly capabilities = CAPABILITIES;
  readonly #shared: MemoryShared;

  constructor(options: MemoryBackendOptions = {}) {
    this.#shared = {
      lifecycle: new Lifecycle("memory"),
      sweepIntervalMs: options.sweepIntervalMs ?? 1000,
      caches: new Map(),
      queues: new Map(),
      records: new Map(),
      channels: new Map(),
    };
  }

  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    this.#shared.lifecycle.assertOpen();
    return createCache<V>(memoryCacheDriver(this.#shared), name, options);
  }

  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    return createQueue<V>(memoryQueueDriver(this.#shared), name, options);
  }

  records(name: string, options?: RecordStoreOptions): RecordStore {
    this.#shared.lifecycle.assertOpen();
    return createRecordStore(memoryRecordDriver(this.#shared), name, options);
  }

  transport(options?: TransportOptions): Transport {
    this.#shared.lifecycle.assertOpen();
    return createTransport(memoryTransportDriver(this.#shared), options);
  }

  sql(): SqlDatabase {
    throw notSupported("memory", "sql");
  }

  close(): Promise<void> {
    return this.#shared.lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
