import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { type HeldLock, LockFile, type LockOptions } from "./lock.js";
import { SegmentLog } from "./queue-log.js";
import type { RawEntry } from "./queue-segment.js";
import type { TopicMeta } from "./topic-meta.js";

/** Tuning of a topic's writer. */
export interface TopicOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxBuffered: number;
  segmentBytes: number;
  pollIntervalMs: number;
  lock: LockOptions;
  what: string;
}

/**
 * One topic (or bucket) as this backend sees it: the segment files plus this process's
 * write buffer. Offsets are dense across processes because a writer holds the topic's
 * lock from its first buffered write until the buffer is on disk (group commit: after
 * `batchSize` writes, after `flushIntervalMs`, or on `flush()`, each an fsync). Buffered
 * writes are readable here at once; other processes see them after the flush. Blocking
 * readers are woken by writes of this process at once and by other processes through
 * `fs.watch` on the directory, with a poll every `pollIntervalMs` as a fallback.
 *
 * @example
 * ```ts
 * const topic = new Topic(dir, options);
 * const first = await topic.append(['"a"']);
 * await topic.flush();
 * ```
 */
export class Topic {
  readonly log: SegmentLog;
  readonly #options: TopicOptions;
  #chain: Promise<unknown> = Promise.resolve();
  /** Operations queued or running on `#chain`. */
  #busy = 0;
  readonly #lockFile: LockFile;
  #lock: HeldLock | undefined;
  #pending: RawEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #recovered = false;
  readonly #waiters = new Set<() => void>();
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(dir: string, options: TopicOptions) {
    this.log = new SegmentLog(dir, { segmentBytes: options.segmentBytes, what: options.what });
    this.#options = options;
    this.#lockFile = new LockFile(join(dir, "lock"), options.lock);
  }

  /** Runs `fn` after every earlier operation of this topic object. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    this.#busy++;
    const run = this.#chain.then(fn, fn);
    this.#chain = run.then(
      () => void this.#busy--,
      () => void this.#busy--,
    );
    return run;
  }

  get buffered(): number {
    return this.#pending.length;
  }

  /** The next offset: on disk plus buffered here. */
  get next(): number {
    return this.log.next + this.#pending.length;
  }

  async #hold(): Promise<void> {
    if (this.#lock !== undefined) return;
    await this.log.prepare();
    this.#lock = await this.#lockFile.acquire();
    try {
      await this.log.refresh(true);
    } catch (err) {
      await this.#release();
      throw err;
    }
    this.#recovered = true;
  }

  async #release(): Promise<void> {
    const lock = this.#lock;
    this.#lock = undefined;
    await lock?.release();
  }

  /**
   * Catches up with the files (serialised). The first call of this object takes the lock
   * once, so a torn tail left by a crash is cut and reported before anything is read.
   */
  async refresh(): Promise<void> {
    if (this.#lock !== undefined) return;
    if (!this.#recovered) {
      await this.#hold();
      await this.#release();
      return;
    }
    await this.log.refresh(false);
  }

  /**
   * Buffers encoded values at consecutive offsets; returns the first. Waits while the
   * buffer is full.
   */
  async append(texts: readonly string[]): Promise<number> {
    const first = await this.serial(async () => {
      await this.#hold();
      const timestamp = Date.now();
      const first = this.next;
      for (let i = 0; i < texts.length; i++) {
        this.#pending.push({ offset: first + i, timestamp, text: texts[i] as string });
      }
      return first;
    });
    this.wake();
    if (this.#pending.length >= this.#options.maxBuffered) await this.flush();
    else if (this.#pending.length >= this.#options.batchSize) void this.flush().catch(() => {});
    else this.#schedule();
    return first;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#lock === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush().catch(() => {});
    }, this.#options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Writes and fsyncs the buffer, then lets other writers in. */
  flush(): Promise<void> {
    return this.serial(() => this.#flushLocked(true));
  }

  async #flushLocked(release: boolean): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#lock === undefined) return;
    const batch = this.#pending;
    await this.log.append(batch, true);
    this.#pending = [];
    if (release) await this.#release();
  }

  /**
   * A page served at once when that is exactly what {@link refresh} then {@link read}
   * would return: nothing of this object queued or running, the torn-tail recovery done,
   * and the log provably unchanged (or this process holds the lock, so nobody else
   * writes). `offset` is raised to the first kept one. `undefined`: take the slow path.
   */
  readNow(offset: number | undefined, limit: number): RawEntry[] | undefined {
    if (this.#busy > 0 || !this.#recovered) return undefined;
    // Holding the lock, nobody else appends or trims: only `first` is needed.
    const first = this.#lock === undefined ? this.log.settled() : this.log.firstKept();
    if (first === undefined) return undefined;
    const from = Math.max(offset ?? first, first);
    const out = from < this.log.next ? this.log.readSync(from, limit) : [];
    if (out === undefined) return undefined;
    this.#fromBuffer(from, limit, out);
    return out;
  }

  #fromBuffer(offset: number, limit: number, out: RawEntry[]): void {
    const start = Math.max(offset, this.log.next) - this.log.next;
    for (let i = start; i < this.#pending.length && out.length < limit; i++) out.push(this.#pending[i] as RawEntry);
  }

  /** Raw entries from `offset`: from disk, then from this process's buffer. */
  async read(offset: number, limit: number): Promise<RawEntry[]> {
    const out = offset < this.log.next ? await this.log.read(offset, limit) : [];
    this.#fromBuffer(offset, limit, out);
    return out;
  }

  /** Runs `fn` holding the lock with the buffer written (trim, commit). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.#hold();
      try {
        await this.#flushLocked(false);
        return await fn();
      } finally {
        await this.#release();
      }
    });
  }

  readMeta(): Promise<TopicMeta> {
    return this.log.readMeta();
  }

  /** Resolves on a write here, a change of the directory, a poll tick, or an abort. */
  waitForAppend(signals: readonly (AbortSignal | undefined)[]): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed || signals.some((s) => s?.aborted)) return resolve();
      const done = () => {
        this.#waiters.delete(done);
        for (const s of signals) s?.removeEventListener("abort", done);
        if (this.#waiters.size === 0) this.#stopWatching();
        resolve();
      };
      this.#waiters.add(done);
      for (const s of signals) s?.addEventListener("abort", done);
      this.#startWatching();
    });
  }

  wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #startWatching(): void {
    if (this.#poll !== undefined) return;
    this.#poll = setInterval(() => this.wake(), this.#options.pollIntervalMs);
    this.#poll.unref();
    try {
      this.#watcher = watch(this.log.dir, { persistent: false }, () => this.wake());
      this.#watcher.on("error", () => this.#watcher?.close());
    } catch {
      // No watch support (some network file systems): the poll alone bounds the delay.
    }
  }

  #stopWatching(): void {
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /** Flushes, lets blocked readers go and stops watching. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      this.wake();
      this.#stopWatching();
      this.log.close();
      this.#lockFile.close();
    }
  }
}
