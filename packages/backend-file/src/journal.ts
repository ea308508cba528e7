import { open, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { defaultCodec } from "@core/protocols";
import { atomicWrite, ensureDirectory, FILE_MODE, syncDirectory, writeAll } from "./atomic-write.js";
import { fileError, fsError } from "./errors.js";
import { acquireLock, type LockOptions } from "./lock.js";
import { encodeRecords, scanRecords } from "./segment.js";

type Handle = Awaited<ReturnType<typeof open>>;

/** How a store turns journal operations into its in-memory state. */
export interface JournalState<Op> {
  /** Forget everything (the log was replaced by a compaction). */
  reset(): void;
  apply(op: Op): void;
  /** Operations that rebuild the current state from nothing (the compaction snapshot). */
  snapshot(): Op[];
}

/** Options of a {@link Journal}. */
export interface JournalOptions {
  /** fsync after every write (records: yes; cache: no). */
  fsync: boolean;
  lock: LockOptions;
  /** For error messages. */
  what: string;
}

/** Compact once the log holds this many records more than twice the snapshot. */
const COMPACT_SLACK = 1000;

/**
 * One store's durable state: an append-only log of operations (`dir/log`, records framed
 * with length and CRC32) replayed into memory, and a lock file (`dir/lock`) that
 * serialises writers across processes. Every write runs under the lock after catching up
 * with what other processes appended, so checks (add, increment, unique keys, versions)
 * see the latest state. Reads catch up without the lock: an unfinished record at the end
 * is simply not read yet. When the log holds far more records than the state needs, it is
 * compacted: the snapshot is written to a temporary file, fsynced and renamed over the
 * log; other processes notice the new inode and reload.
 *
 * @example
 * ```ts
 * const journal = new Journal(dir, state, { fsync: true, lock: {}, what: "records feed" });
 * await journal.mutate(() => ({ result: true, ops: [{ d: "id-1" }] }));
 * ```
 */
export class Journal<Op> {
  readonly #dir: string;
  readonly #log: string;
  readonly #state: JournalState<Op>;
  readonly #options: JournalOptions;
  #reader: Handle | undefined;
  #ino = -1;
  #position = 0;
  #records = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #ready = false;
  /** Bytes of torn tails cut off (a writer crashed mid-append). */
  truncatedBytes = 0;

  constructor(dir: string, state: JournalState<Op>, options: JournalOptions) {
    this.#dir = dir;
    this.#log = join(dir, "log");
    this.#state = state;
    this.#options = options;
  }

  // One operation at a time per journal object: catching up twice would apply twice.
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => {});
    return run;
  }

  /**
   * Catches up with every whole record other processes appended.
   *
   * @example
   * ```ts
   * await journal.sync();
   * ```
   */
  sync(): Promise<void> {
    return this.#serial(() => this.#catchUp(false));
  }

  /**
   * Runs `fn` under the lock on the latest state; its `ops` are appended (and fsynced when
   * configured) before they are applied and `result` is returned. If `fn` throws, nothing
   * is written. With `applied: true`, `fn` already applied its ops to the state itself
   * (and undid them if it threw).
   *
   * @example
   * ```ts
   * const won = await journal.mutate(() => (has(k) ? { result: false, ops: [] } : { result: true, ops: [op] }));
   * ```
   */
  mutate<T>(fn: () => { result: T; ops: Op[]; applied?: boolean }): Promise<T> {
    return this.#serial(async () => {
      if (!this.#ready) {
        await ensureDirectory(this.#dir).catch((err) => {
          throw fsError(err, "creating", this.#dir);
        });
        this.#ready = true;
      }
      const lock = await acquireLock(join(this.#dir, "lock"), this.#options.lock);
      try {
        await this.#catchUp(true);
        const { result, ops, applied = false } = fn();
        if (ops.length > 0) await this.#append(ops, applied);
        return result;
      } finally {
        await lock.release();
      }
    });
  }

  async #append(ops: Op[], applied: boolean): Promise<void> {
    const bytes = encodeRecords(ops.map((op) => Buffer.from(defaultCodec.encode(op), "utf8")));
    let handle: Handle | undefined;
    try {
      handle = await open(this.#log, "a", FILE_MODE);
      await writeAll(handle, bytes);
      if (this.#options.fsync) await handle.datasync();
    } catch (err) {
      // A partial write (a full disk) would be a torn tail, or whole records the caller is
      // told failed: cut back to where this append started so the log holds only whole,
      // acknowledged records and the next append (once space is freed) starts clean.
      await truncate(this.#log, this.#position).catch(() => {});
      // State the caller already changed is no longer what the log says: reload next time.
      if (applied) this.#ino = -1;
      throw fsError(err, "appending to", this.#log);
    } finally {
      await handle?.close();
    }
    if (!applied) for (const op of ops) this.#state.apply(op);
    this.#position += bytes.length;
    this.#records += ops.length;
    await this.#maybeCompact();
  }

  async #maybeCompact(): Promise<void> {
    if (this.#records < COMPACT_SLACK) return;
    const snapshot = this.#state.snapshot();
    if (this.#records < COMPACT_SLACK + 2 * snapshot.length) return;
    const bytes = encodeRecords(snapshot.map((op) => Buffer.from(defaultCodec.encode(op), "utf8")));
    try {
      await atomicWrite(this.#log, bytes);
    } catch {
      // The append before this is already durable, so the call must not fail (a full disk
      // refuses the snapshot): keep the long log and try again after a later append. Had
      // the rename happened, the next catch-up sees the new inode and reloads.
      return;
    }
    await this.#reopen();
    this.#position = bytes.length;
    this.#records = snapshot.length;
  }

  async #reopen(): Promise<void> {
    await this.#reader?.close();
    this.#reader = await open(this.#log, "r");
    this.#ino = (await this.#reader.stat()).ino;
  }

  async #catchUp(locked: boolean): Promise<void> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(this.#log);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fsError(err, "reading", this.#log);
      if (!locked) return;
      const created = await open(this.#log, "a", FILE_MODE);
      await created.close();
      await syncDirectory(this.#dir);
      info = await stat(this.#log);
    }
    if (info.ino !== this.#ino) {
      await this.#reopen();
      this.#state.reset();
      this.#position = 0;
      this.#records = 0;
    }
    if (info.size === this.#position) return;
    if (info.size < this.#position) {
      throw fileError("CORRUPTION", `${this.#options.what}: the log shrank unexpectedly; restore from a backup`);
    }
    const length = info.size - this.#position;
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await (this.#reader as Handle).read(buf, 0, length, this.#position);
    const scan = scanRecords(buf.subarray(0, bytesRead), this.#position, this.#options.what);
    for (const { payload } of scan.records) this.#state.apply(defaultCodec.decode(payload.toString("utf8")) as Op);
    this.#records += scan.records.length;
    this.#position = scan.end;
    if (locked && scan.tail === "torn") {
      // Only the lock holder may cut: without it the "torn" tail may be a write in progress.
      this.truncatedBytes += info.size - scan.end;
      await truncate(this.#log, scan.end);
    }
  }

  /**
   * Closes the read handle.
   *
   * @example
   * ```ts
   * await journal.close();
   * ```
   */
  close(): Promise<void> {
    return this.#serial(async () => {
      await this.#reader?.close();
      this.#reader = undefined;
      this.#ino = -1;
    });
  }
}
