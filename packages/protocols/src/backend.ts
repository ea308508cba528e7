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
  /** What this backend implements; a protocol or option it lacks throws `NOT_SUPPORTED`. */
  readonly capabilities: Capabilities;
  /** The cache namespace `name` (`NOT_SUPPORTED` unless `capabilities.cache`); handles of one name share entries. */
  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V>;
  /** The append-only queue topic `name` (`NOT_SUPPORTED` unless `capabilities.queue`). */
  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V>;
  /** The record store `name` (`NOT_SUPPORTED` unless `capabilities.records`). */
  records(name: string, options?: RecordStoreOptions): RecordStore;
  /** A publish/subscribe transport (`NOT_SUPPORTED` unless `capabilities.transport`). */
  transport(options?: TransportOptions): Transport;
  /** `NOT_SUPPORTED` unless `capabilities.sql`. */
  sql(): SqlDatabase;
  /** Idempotent; waits for in-flight work, flushes, ends blocking readers. */
  close(): Promise<void>;
}
