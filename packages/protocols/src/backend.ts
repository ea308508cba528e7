import type { Cache, CacheOptions } from "./cache.js";
import type { Capabilities } from "./capabilities.js";
import type { Queue, QueueOptions } from "./queue.js";
import type { RecordStore } from "./records.js";
import type { SqlDatabase } from "./sql.js";
import type { Transport, TransportOptions } from "./transport.js";

/** Options of `backend.records(name, options)`. */
export interface RecordStoreOptions {
  /** Largest `limit` a query may ask for. Default 10 000. */
  maxLimit?: number;
}

/**
 * One connection (pool, directory, file) handing out namespaced stores that share it.
 *
 * @example
 * ```ts
 * await using backend = await openBackend("memory:");
 * const cache = backend.cache("sessions", { defaultTtlMs: 60_000 });
 * ```
 */
export interface Backend extends AsyncDisposable {
  /** `memory`, `file`, `sqlite`, `postgres`, `redis` or a third party's name. */
  readonly name: string;
  readonly capabilities: Capabilities;
  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V>;
  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V>;
  records(name: string, options?: RecordStoreOptions): RecordStore;
  transport(options?: TransportOptions): Transport;
  /** `NOT_SUPPORTED` unless `capabilities.sql`. */
  sql(): SqlDatabase;
  /** Idempotent; waits for in-flight work, flushes, ends blocking readers. */
  close(): Promise<void>;
}
