import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { AsyncMutex } from "@core/protocols/kit";
import type { DamagedRecordHandler } from "./damage.js";
import { type HeldLock, LockFile, type LockOptions } from "./lock.js";
import type { RawEntry } from "./queue-segment.js";
import { SegmentLog, type Written } from "./segment-log.js";
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
  /** Told about a damaged last entry of a segment. */
  onDamage?: DamagedRecordHandler;
}

/**
 * One topic (or bucket): the segment files plus this process's write buffer. Offsets are
 * dense across processes because a writer holds the topic's lock from its first buffered
 * write until the buffer is on disk (group commit per `batchSize`, `flushIntervalMs` or
 * `flush()`, each an fsync, run off the chain so reads and puts never queue behind it).
 * Buffered writes are readable here at once, elsewhere after the flush. Blocking readers
 * wake on writes here, on `fs.watch` of the directory, and on a `pollIntervalMs` poll.
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
  /** Operations of this object, one at a time; locked while any is queued or running. */
  readonly #serial = new AsyncMutex();
  readonly #lockFile: LockFile;
  #lock: HeldLock | undefined;
  #pending: RawEntry[] = [];
  /** The batch a flush took from `#pending` and is writing: not yet counted in `log`. */
  #writing: RawEntry[] = [];
  /** The group commit running off the chain (at most one; `unsynced`: already counted in `log`). */
  #syncing: { unsynced: number; done: Promise<void> } | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** A flush for a full batch is on its way and has not taken the buffer yet. */
  #flushWanted = false;
  #recovered = false;
  readonly #waiters = new Set<() => void>();
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(dir: string, options: TopicOptions) {
    this.log = new SegmentLog(dir, options);
    this.#options = options;
    this.#lockFile = new LockFile(join(dir, "lock"), options.lock);
  }

  /** Runs `fn` after every earlier operation of this topic object. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.#serial.run(fn);
  }

  /** Accepted but not yet durable: buffered, being written, or written but not fsynced. */
  get buffered(): number {
    return this.next - this.persisted;
  }

  /** Durable entries: counted in the log minus a batch whose fsync runs. */
  get persisted(): number {
    return this.log.next - (this.#syncing?.unsynced ?? 0);
  }

  /** The next offset: on disk plus being written plus buffered here. */
  get next(): number {
    return this.log.next + this.#writing.length + this.#pending.length;
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
    else if (this.#pending.length >= this.#options.batchSize) this.#flushSoon();
    else this.#schedule();
    return first;
  }

  /** One group commit for a full batch: puts during an fsync must not each queue one. */
  #flushSoon(): void {
    if (this.#flushWanted) return;
    this.#flushWanted = true;
    void this.flush().catch(() => {});
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#lock === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush().catch(() => {});
    }, this.#options.flushIntervalMs);
    this.#timer.unref();
  }

  /**
   * Writes and fsyncs the buffer (only taking it is serialised), then lets other writers
   * in: resolves once durable, after releasing the lock if nothing was buffered meanwhile.
   */
  async flush(): Promise<void> {
    // Wait out a group commit in flight before queueing, so the chain stays free meanwhile.
    await this.#syncing?.done.catch(() => {});
    const { durable } = await this.serial(() => this.#commit());
    await durable;
    await this.serial(async () => {
      if (this.#syncing === undefined && this.#pending.length === 0) await this.#release();
    });
  }

  /**
   * Takes the buffer (serialised, lock held) and starts its group commit. Each move of the
   * batch (buffer → writing → log, or back on a failure) is one synchronous step, so a
   * reader finds every entry exactly once.
   */
  async #commit(): Promise<{ durable: Promise<void> }> {
    this.#flushWanted = false;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#lock === undefined) return { durable: Promise.resolve() };
    // Its error went to its own flush; the log is already back to whole entries.
    await this.#syncing?.done.catch(() => {});
    const batch = this.#pending;
    if (batch.length === 0) return { durable: Promise.resolve() };
    this.#pending = [];
    this.#writing = batch;
    const syncing: { unsynced: number; done: Promise<void> } = { unsynced: 0, done: Promise.resolve() };
    syncing.done = this.#writeAndSync(batch, syncing).finally(() => {
      if (this.#syncing === syncing) this.#syncing = undefined;
    });
    this.#syncing = syncing;
    return { durable: syncing.done };
  }

  async #writeAndSync(batch: RawEntry[], syncing: { unsynced: number }): Promise<void> {
    let written: Written;
    try {
      written = await this.log.write(batch);
    } catch (err) {
      this.#writing = [];
      this.#pending = [...batch, ...this.#pending];
      throw err;
    }
    written.count();
    this.#writing = [];
    syncing.unsynced = batch.length;
    try {
      await written.sync();
    } catch (err) {
      written.undo();
      this.#pending = [...batch, ...this.#pending];
      syncing.unsynced = 0;
      await written.cut();
      throw err;
    }
  }

  /**
   * The page {@link refresh} then {@link read} would return, served at once when nothing
   * here is queued, recovery is done and the log is provably unchanged (or locked by us);
   * else `undefined`. `offset` is raised to the first kept one.
   */
  readNow(offset: number | undefined, limit: number): RawEntry[] | undefined {
    if (this.#serial.locked || !this.#recovered) return undefined;
    // Holding the lock, nobody else appends or trims: only `first` is needed.
    const first = this.#lock === undefined ? this.log.settled() : this.log.meta.current().first;
    if (first === undefined) return undefined;
    const from = Math.max(offset ?? first, first);
    const out = from < this.log.next ? this.log.readSync(from, limit) : [];
    if (out === undefined) return undefined;
    this.#fromBuffer(from, limit, out);
    return out;
  }

  #fromBuffer(offset: number, limit: number, out: RawEntry[]): void {
    // After the entries read from disk: a group commit may have moved entries from the
    // buffers to the log while the read ran (the buffers always continue the log's offsets).
    const last = out.at(-1);
    const from = last === undefined ? offset : last.offset + 1;
    const writing = this.#writing;
    const start = Math.max(from, this.log.next) - this.log.next;
    for (let i = start; i < writing.length + this.#pending.length && out.length < limit; i++) {
      out.push((i < writing.length ? writing[i] : this.#pending[i - writing.length]) as RawEntry);
    }
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
        await (await this.#commit()).durable;
        return await fn();
      } finally {
        await this.#release();
      }
    });
  }

  /** {@link exclusive} on the meta: written back (see SegmentLog.writeMeta) when `fn` returns true. */
  updateMeta(fn: (meta: TopicMeta) => boolean): Promise<boolean> {
    return this.exclusive(async () => {
      const meta = await this.log.meta.read();
      const changed = fn(meta);
      if (changed) await this.log.writeMeta(meta);
      return changed;
    });
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
    // Ref'd on purpose: an active blocking wait keeps the process alive (PROTOCOLS.md §0).
    // It runs only while someone waits: the last waiter leaving, or close(), stops it.
    this.#poll = setInterval(() => this.wake(), this.#options.pollIntervalMs);
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
