import type { Lifecycle } from "../../lifecycle.js";
import type { QueueOptions } from "../../queue.js";
import type { QueueLogDriver } from "./queue-driver.js";

/** Defaults when only some buffering options are given (the file backend's defaults). */
const DEFAULT_BATCH_SIZE = 1000;
const DEFAULT_FLUSH_INTERVAL_MS = 5;
const DEFAULT_MAX_BUFFERED = 10_000;

/** Validated buffering options, all set. */
export interface WriteBufferOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxBuffered: number;
}

/**
 * The buffering a queue's options ask for: `undefined` (write through) unless one of
 * `batchSize`, `flushIntervalMs`, `maxBuffered` is set; the others take their defaults.
 *
 * @example
 * ```ts
 * bufferingOf({ batchSize: 100 }); // { batchSize: 100, flushIntervalMs: 5, maxBuffered: 10000 }
 * ```
 */
export function bufferingOf(options: QueueOptions | undefined): WriteBufferOptions | undefined {
  if (options === undefined) return undefined;
  const { batchSize, flushIntervalMs, maxBuffered } = options;
  if (batchSize === undefined && flushIntervalMs === undefined && maxBuffered === undefined) return undefined;
  return {
    batchSize: batchSize ?? DEFAULT_BATCH_SIZE,
    flushIntervalMs: flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    maxBuffered: maxBuffered ?? DEFAULT_MAX_BUFFERED,
  };
}

interface PendingWrite {
  texts: readonly string[];
  resolve: (first: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Client-side group commit for a driver that writes through: puts are held and written
 * as ONE `append` (one round trip) once `batchSize` entries wait, `flushIntervalMs` after
 * the first of them, on `flush()`, or when the backend closes. A put resolves with its
 * offset once its batch is written (so it is readable, here and by other clients, when
 * its promise resolves); a failed batch rejects every put in it. Batches are written one
 * after another, in order. At most `maxBuffered` entries are held (the batch being written
 * included): a put that does not fit waits until they are written, then joins
 * (backpressure; it never fails for a full buffer). One put larger than that is held alone.
 *
 * @example
 * ```ts
 * const buffer = new WriteBuffer(log, lifecycle, { batchSize: 100, flushIntervalMs: 5, maxBuffered: 1000 });
 * const offset = await buffer.add(['"a"']);
 * ```
 */
export class WriteBuffer {
  readonly #log: QueueLogDriver;
  readonly #life: Lifecycle;
  readonly #options: WriteBufferOptions;
  #pending: PendingWrite[] = [];
  /** Entries in `#pending`. */
  #count = 0;
  /** Puts that did not fit, in order: they join `#pending` as soon as a batch is written. */
  readonly #waiting: PendingWrite[] = [];
  /** Entries taken by the batch being written. */
  #writingCount = 0;
  /** The batch being written (settles, never rejects), if any. */
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unregister: (() => void) | undefined;

  constructor(log: QueueLogDriver, life: Lifecycle, options: WriteBufferOptions) {
    this.#log = log;
    this.#life = life;
    this.#options = options;
  }

  /** Entries accepted but not yet written. */
  get size(): number {
    let waiting = 0;
    for (const write of this.#waiting) waiting += write.texts.length;
    return this.#count + this.#writingCount + waiting;
  }

  /** Buffers `texts` (kept together, at consecutive offsets); resolves with the first offset. */
  add(texts: readonly string[]): Promise<number> {
    const written = new Promise<number>((resolve, reject) => {
      const write: PendingWrite = { texts, resolve, reject };
      if (this.#waiting.length > 0 || !this.#fits(texts.length)) {
        // Full: write what is held now, and join once that is written (backpressure).
        this.#waiting.push(write);
        void this.#drainOnce();
      } else {
        this.#accept(write);
      }
    });
    // Close writes what is buffered before the backend stops taking calls.
    this.#unregister ??= this.#life.beforeClose(() => this.flush());
    return written;
  }

  /** Writes everything buffered so far; resolves once it is written (never rejects). */
  async flush(): Promise<void> {
    while (this.#count > 0 || this.#writing !== undefined || this.#waiting.length > 0) {
      await (this.#writing ?? this.#drainOnce());
    }
  }

  #fits(n: number): boolean {
    const held = this.#count + this.#writingCount;
    return held === 0 || held + n <= this.#options.maxBuffered;
  }

  #accept(write: PendingWrite): void {
    this.#pending.push(write);
    this.#count += write.texts.length;
    if (this.#count >= this.#options.batchSize) void this.#drainOnce();
    else this.#timer ??= setTimeout(() => void this.#drainOnce(), this.#options.flushIntervalMs);
  }

  /** Writes the held entries as one batch, after the batch in flight. */
  #drainOnce(): Promise<void> {
    if (this.#writing !== undefined) return this.#writing;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#pending;
    if (batch.length === 0) return Promise.resolve();
    this.#pending = [];
    this.#writingCount = this.#count;
    this.#count = 0;
    const writing = this.#write(batch).finally(() => this.#written());
    this.#writing = writing;
    return writing;
  }

  #written(): void {
    this.#writing = undefined;
    this.#writingCount = 0;
    // Synchronously, before anyone awaiting the batch resumes: waiting puts join in order.
    while (this.#waiting.length > 0 && this.#fits((this.#waiting[0] as PendingWrite).texts.length)) {
      this.#accept(this.#waiting.shift() as PendingWrite);
    }
    if (this.#waiting.length > 0) void this.#drainOnce();
    else if (this.#count === 0) {
      this.#unregister?.();
      this.#unregister = undefined;
    }
  }

  async #write(batch: PendingWrite[]): Promise<void> {
    const texts = batch.length === 1 ? (batch[0] as PendingWrite).texts : batch.flatMap((write) => write.texts);
    try {
      let first = await this.#log.append(texts);
      for (const write of batch) {
        write.resolve(first);
        first += write.texts.length;
      }
    } catch (error) {
      for (const write of batch) write.reject(error);
    }
  }
}
