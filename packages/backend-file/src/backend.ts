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
import { fileCacheDriver } from "./cache-driver.js";
import { type DamagedRecordHandler, warnDamagedRecord } from "./damage.js";
import { BACKEND } from "./errors.js";
import type { LockOptions } from "./lock.js";
import { type FileQueueDefaults, fileQueueDriver } from "./queue-driver.js";
import { fileRecordDriver } from "./records-driver.js";
import type { FileShared } from "./shared.js";
import { type FileTransportDefaults, fileTransportDriver } from "./transport-driver.js";

const CAPABILITIES: Capabilities = defineCapabilities({
  cache: true,
  queue: true,
  records: true,
  transport: true,
  sql: false,
  persistent: true,
  crossProcess: true,
  maxEntries: true,
  blockingStream: true,
  buckets: true,
  delivery: "at-least-once",
});

/** Options of {@link openFileBackend}. */
export interface FileBackendOptions {
  /** The directory holding everything (created with mode 0700 if missing). */
  directory: string;
  /** Default cache sweep interval (ms). Default 1000. */
  sweepIntervalMs?: number;
  /** Queue: flush after this many buffered writes. Default 1000. */
  batchSize?: number;
  /** Queue: flush at least this often (ms). Default 5. */
  flushIntervalMs?: number;
  /** Queue: most buffered writes; a full buffer makes `put` wait. Default 10 000. */
  maxBuffered?: number;
  /** Queue: start a new segment file past this size (bytes). Default 8 MiB. */
  segmentBytes?: number;
  /** Blocking streams poll this often when `fs.watch` misses a change (ms). Default 50. */
  pollIntervalMs?: number;
  /** Give up waiting for a lock after this long, with `LOCKED` (ms). Default 10 000. */
  lockTimeoutMs?: number;
  /** Break a lock older than this even if its process seems alive (ms). Default 30 000. */
  staleLockMs?: number;
  /** fsync every record-store write before acknowledging it. Default true. */
  fsyncRecords?: boolean;
  /**
   * Transport: a group's lease (which backend instance delivers its messages) lasts this
   * long without renewal; a holder that hangs longer loses the group (ms). Default 10 000.
   */
  groupLeaseMs?: number;
  /** Transport: messages an outbox keeps beyond what its groups still need. Default 1000. */
  outboxRetention?: number;
  /**
   * Told when a log's last record (or batch) is complete by its length header but fails its
   * checksum: damaged after it was written. It is dropped either way (cut back by the lock
   * holder, counted in `stats().damagedRecords` of queues and caches). Default: a process
   * warning with code `CORE_FILE_DAMAGED_RECORD`.
   *
   * @example
   * ```ts
   * await openFileBackend({ directory, onDamagedRecord: (r) => log.error(r, "damaged record dropped") });
   * ```
   */
  onDamagedRecord?: DamagedRecordHandler;
}

/**
 * A directory on disk holding caches, queues, record stores and transport outboxes,
 * shared safely by several processes (lock files around writes).
 *
 * @example
 * ```ts
 * const backend = new FileBackend({ directory: "./data" }, defaults, shared);
 * ```
 */
export class FileBackend implements Backend {
  readonly name = BACKEND;
  readonly capabilities = CAPABILITIES;
  readonly #shared: FileShared;
  readonly #queueDefaults: FileQueueDefaults;
  readonly #transportDefaults: FileTransportDefaults;

  constructor(directory: string, options: Omit<FileBackendOptions, "directory">) {
    const lock: LockOptions = {};
    if (options.lockTimeoutMs !== undefined) lock.timeoutMs = options.lockTimeoutMs;
    if (options.staleLockMs !== undefined) lock.staleMs = options.staleLockMs;
    this.#shared = {
      lifecycle: new Lifecycle(BACKEND),
      directory,
      lock,
      sweepIntervalMs: options.sweepIntervalMs ?? 1000,
      fsyncRecords: options.fsyncRecords ?? true,
      onDamage: options.onDamagedRecord ?? warnDamagedRecord,
      stores: new Map(),
    };
    this.#queueDefaults = {
      batchSize: options.batchSize ?? 1000,
      flushIntervalMs: options.flushIntervalMs ?? 5,
      maxBuffered: options.maxBuffered ?? 10_000,
      segmentBytes: options.segmentBytes ?? 8 * 1024 * 1024,
      pollIntervalMs: options.pollIntervalMs ?? 50,
    };
    this.#transportDefaults = {
      groupLeaseMs: options.groupLeaseMs ?? 10_000,
      outboxRetention: options.outboxRetention ?? 1000,
    };
  }

  /** The directory this backend stores everything in. */
  get directory(): string {
    return this.#shared.directory;
  }

  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    this.#shared.lifecycle.assertOpen();
    return createCache<V>(fileCacheDriver(this.#shared), name, options);
  }

  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    return createQueue<V>(fileQueueDriver(this.#shared, this.#queueDefaults), name, options);
  }

  records(name: string, options?: RecordStoreOptions): RecordStore {
    this.#shared.lifecycle.assertOpen();
    return createRecordStore(fileRecordDriver(this.#shared), name, options);
  }

  transport(options?: TransportOptions): Transport {
    this.#shared.lifecycle.assertOpen();
    return createTransport(fileTransportDriver(this.#shared, this.#queueDefaults, this.#transportDefaults), options);
  }

  sql(): SqlDatabase {
    throw notSupported(BACKEND, "sql");
  }

  close(): Promise<void> {
    return this.#shared.lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
