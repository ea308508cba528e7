import { defineBackend, type Lifecycle, SHARED_STORE_FEATURES } from "@core/protocols/kit";
import { fileCacheDriver } from "./cache-driver.js";
import { type DamagedRecordHandler, warnDamagedRecord } from "./damage.js";
import { BACKEND } from "./errors.js";
import { ExclusiveLease, enterShared } from "./exclusive-lease.js";
import type { LockOptions } from "./lock.js";
import { type FileQueueDefaults, fileQueueDriver } from "./queue-driver.js";
import { fileRecordDriver } from "./records-driver.js";
import type { FileShared } from "./shared.js";
import { type FileTransportDefaults, fileTransportDriver } from "./transport-driver.js";

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
   * Hold the directory for this backend alone until `close()` (like LevelDB's `LOCK` or
   * SQLite's `locking_mode=EXCLUSIVE`): `<directory>/exclusive.lock` is taken at open and
   * every cache and record store keeps its lock from first use to close, so reads skip the
   * check for other processes' writes and writes skip the lock round trip. Any other
   * backend opening the directory, in this process or another, fails at once with
   * `LOCKED`; a holder killed without closing leaves a lock that is broken per the
   * stale-lock rules (dead pid, or `staleLockMs` without renewal). Default false (shared).
   *
   * @example
   * ```ts
   * await openFileBackend({ directory: "./data", exclusive: true });
   * ```
   */
  exclusive?: boolean;
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

interface FileState {
  readonly shared: FileShared;
  /** Lets the directory go at close (the exclusive lease, or this shared backend's registration). */
  readonly leave: () => void;
  readonly queue: FileQueueDefaults;
  readonly transport: FileTransportDefaults;
}

function setup(lifecycle: Lifecycle, directory: string, options: Omit<FileBackendOptions, "directory">): FileState {
  const lock: LockOptions = {};
  if (options.lockTimeoutMs !== undefined) lock.timeoutMs = options.lockTimeoutMs;
  if (options.staleLockMs !== undefined) lock.staleMs = options.staleLockMs;
  const exclusive = options.exclusive === true ? ExclusiveLease.take(directory, lock) : undefined;
  const leave = exclusive ? () => exclusive.release() : enterShared(directory, lock.staleMs ?? 30_000);
  return {
    leave,
    shared: {
      lifecycle,
      directory,
      lock,
      exclusive,
      sweepIntervalMs: options.sweepIntervalMs ?? 1000,
      fsyncRecords: options.fsyncRecords ?? true,
      onDamage: options.onDamagedRecord ?? warnDamagedRecord,
      stores: new Map(),
    },
    queue: {
      batchSize: options.batchSize ?? 1000,
      flushIntervalMs: options.flushIntervalMs ?? 5,
      maxBuffered: options.maxBuffered ?? 10_000,
      segmentBytes: options.segmentBytes ?? 8 * 1024 * 1024,
      pollIntervalMs: options.pollIntervalMs ?? 50,
    },
    transport: {
      groupLeaseMs: options.groupLeaseMs ?? 10_000,
      outboxRetention: options.outboxRetention ?? 1000,
    },
  };
}

/**
 * A directory on disk holding caches, queues, record stores and transport outboxes,
 * shared safely by several processes (lock files around writes), or held by this one
 * alone with `exclusive: true`.
 *
 * @example
 * ```ts
 * const backend = new FileBackend("/srv/data", { fsyncRecords: true });
 * ```
 */
export class FileBackend extends defineBackend({
  name: BACKEND,
  // Exclusive: one backend holds the directory, so a second client (another process or
  // not) is refused rather than shared with.
  capabilities: (s) => (s.shared.exclusive ? { ...SHARED_STORE_FEATURES, crossProcess: false } : SHARED_STORE_FEATURES),
  setup,
  cache: (s) => fileCacheDriver(s.shared),
  queue: (s) => fileQueueDriver(s.shared, s.queue),
  records: (s) => fileRecordDriver(s.shared),
  transport: (s) => fileTransportDriver(s.shared, s.queue, s.transport),
  // After every store's cleanup (their journals let their locks go first).
  close: (s) => s.leave(),
}) {
  /** The directory this backend stores everything in. */
  get directory(): string {
    return this.state.shared.directory;
  }
}
