import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { defaultCodec } from "@core/protocols";
import { AsyncMutex } from "@core/protocols/kit";
import { createFile, ensureDirectory } from "./atomic-write.js";
import { DamageReports } from "./damage.js";
import { fileError, fsError } from "./errors.js";
import { encodeRecords } from "./frames.js";
import { type GroupRun, type PendingCall, runGroup } from "./group-commit.js";
import { JournalLock } from "./journal-lock.js";
import type { JournalOptions, JournalState } from "./journal-state.js";
import { LogAppender } from "./log-appender.js";
import { compactionDue, compactLog } from "./log-compaction.js";
import { replayTail, statLog } from "./log-tail.js";

type Handle = Awaited<ReturnType<typeof open>>;

const DONE = Promise.resolve();

/**
 * One store's durable state: an append-only log of operations (`dir/log`, see frames.ts)
 * replayed into memory, and a lock file (`dir/lock`) serialising writers across processes.
 * Every write runs under the lock after catching up with other processes' appends, so
 * checks (add, increment, unique keys, versions) see the latest state. Reads catch up
 * without the lock: an unfinished record at the end is simply not read yet. A log far
 * longer than its state is compacted (see log-compaction.ts). With `exclusive` (the
 * backend holds its directory alone) the lock is taken at first use and kept until close:
 * no other process can write, so reads need no check and writes no lock syscalls.
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
  readonly #lock: JournalLock;
  #reader: Handle | undefined;
  /** Append descriptor of the log inode `#ino` (kept open; reopened when the inode changes). */
  readonly #appender: LogAppender;
  #ino = -1;
  #position = 0;
  #records = 0;
  // One operation at a time per journal object: catching up twice would apply twice.
  readonly #serial = new AsyncMutex();
  #ready = false;
  /** The freshness check the reads since it was scheduled wait for (see {@link Journal.sync}). */
  #check: Promise<void> | undefined;
  /** Calls waiting for the next group commit. */
  #pending: PendingCall<Op>[] = [];
  /** A queued operation (commit, catch-up, compaction) is running and not done with memory yet. */
  #busy = false;
  /** Memory may hold ops the log does not: reload it from the log before the next use. */
  #reload = false;
  /** The last write did not complete: the log may not end where memory says, so the next catches up even in a burst. */
  #unsure = true;
  /** Bytes of torn or damaged tails cut off (a writer crashed mid-append). */
  truncatedBytes = 0;
  readonly #damage: DamageReports;

  constructor(dir: string, state: JournalState<Op>, options: JournalOptions) {
    this.#dir = dir;
    this.#log = join(dir, "log");
    this.#appender = new LogAppender(this.#log);
    this.#state = state;
    this.#options = options;
    this.#lock = new JournalLock(join(dir, "lock"), options.lock, options.exclusive);
    this.#damage = new DamageReports(options.onDamage);
  }

  /** Damaged last records (or batches) found and reported (see damage.ts). */
  get damagedRecords(): number {
    return this.#damage.count;
  }

  /**
   * True when no operation of this object is queued and the log is still the inode and
   * size already replayed (see {@link statLog}): memory is exactly what the file says.
   */
  fresh(): boolean {
    if (this.#serial.locked || this.#reload) return false;
    // Held alone and caught up when taken: only this object writes the log.
    if (this.#lock.holding) return this.current();
    try {
      const info = statLog(this.#reader?.fd, this.#log);
      if (info === undefined) return this.#ino === -1 && this.#position === 0;
      return info.ino === this.#ino && info.size === this.#position;
    } catch {
      return false; // let the slow path report it
    }
  }

  /**
   * True when memory is the log without looking (exclusive, lock held, nothing queued or
   * unfinished): a read can answer at once.
   */
  current(): boolean {
    return this.#pending.length === 0 && this.#settled();
  }

  /**
   * Exclusive, lock held and nothing half-done: memory is the log but for pending calls.
   * `#busy`, not the serial queue: a commit resolves its calls before its queue slot is
   * free, and their next calls must not find it taken (they would all queue behind it).
   */
  #settled(): boolean {
    return this.#lock.holding && !this.#busy && !this.#reload;
  }

  /**
   * Catches up with every whole record other processes appended. Calls made before the
   * check runs (a microtask later, so still after each of them) share it: concurrent reads
   * pay one `fstat` together.
   */
  sync(): Promise<void> {
    this.#check ??= DONE.then(() => this.#checkNow());
    return this.#check;
  }

  #checkNow(): Promise<void> | undefined {
    this.#check = undefined;
    if (this.fresh()) return undefined;
    const lease = this.#options.exclusive;
    if (lease === undefined) return this.#serial.run(() => this.#catchUp(false));
    // Exclusive: the first read takes the lock, and catches up once under it.
    return this.#serial.run(() =>
      this.#busyWith(async () => {
        const lock = await this.#lock.acquire();
        if (!lock.continued || this.#reload) await this.#catchUp(true);
      }),
    );
  }

  /**
   * Runs `fn` under the lock on the latest state; its `ops` are appended (fsynced when
   * configured) and applied before `result` is returned; a throwing `fn` writes nothing.
   * `applied: true`: `fn` applied its ops itself (and undid them if it threw). Calls made
   * while a write runs are committed together by the next holder (see group-commit.ts):
   * one lock hold, append and fsync; none resolves before the append, all fail with it.
   */
  mutate<T>(fn: () => { result: T; ops: Op[]; applied?: boolean }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (result: unknown) => void, reject });
      // The first call of a group schedules its commit; later ones join it until it starts.
      if (this.#pending.length > 1) return;
      if (this.#quick()) queueMicrotask(() => this.#commitHeld());
      else void this.#serial.run(() => this.#commit());
    });
  }

  async #commit(): Promise<void> {
    const group = this.#pending;
    this.#pending = [];
    this.#busy = true;
    try {
      if (!this.#ready) {
        await ensureDirectory(this.#dir);
        this.#ready = true;
      }
      const lock = await this.#lock.acquire();
      try {
        // Held without a break since this object's last write, which completed and left
        // memory and position at the end of the log: nothing to catch up with.
        const current = lock.continued && !this.#unsure;
        this.#unsure = true;
        if (!current) await this.#catchUp(true);
        let written: GroupRun<Op>;
        try {
          // Several ops of one call are one batch frame: a crash keeps all of them or none.
          written = runGroup(group, this.#state, (ops) => this.#encode(ops, true));
        } catch (err) {
          this.#reload = true; // calls before the failing one may have changed memory
          throw err;
        }
        if (written.frames.length > 0) {
          // Memory now runs ahead of the log until the append completes.
          this.#reload = true;
          await this.#append(written.frames, written.ops);
        }
        this.#unsure = false;
        this.#busy = false;
        for (const [call, result] of written.results) call.resolve(result);
      } finally {
        // Calls that came in meanwhile are the next group: it keeps the lock (a burst).
        await lock.release(this.#pending.length > 0);
      }
    } catch (err) {
      this.#busy = false;
      for (const call of group) call.reject(err); // no effect on calls already settled
    }
  }

  /**
   * Exclusive, lock held, nothing running, memory exactly the log, no fsync: commits the
   * pending group synchronously, in the microtask after its first call (calls of the same
   * tick still form one group), with no lock, catch-up or serial queue in between.
   */
  #quick(): boolean {
    return !this.#unsure && !this.#options.fsync && this.#settled();
  }

  #commitHeld(): void {
    if (!this.#quick()) {
      // Something began meanwhile (a read's catch-up, a compaction): the usual way.
      void this.#serial.run(() => this.#commit());
      return;
    }
    const group = this.#pending;
    this.#pending = [];
    let written: GroupRun<Op>;
    try {
      written = runGroup(group, this.#state, (ops) => this.#encode(ops, true));
      if (written.frames.length > 0) {
        this.#reload = true; // memory runs ahead of the log until the write completes
        this.#appended(this.#write(written.frames), written.ops);
      }
    } catch (err) {
      this.#reload = true;
      this.#unsure = true;
      for (const call of group) call.reject(err);
      return;
    }
    for (const [call, result] of written.results) call.resolve(result);
    if (!compactionDue(this.#records, this.#state)) return;
    // A compaction that fails half-way (reopening the new log) leaves memory to reload.
    void this.#serial
      .run(() => this.#busyWith(() => this.#maybeCompact()))
      .catch(() => {
        this.#reload = true;
      });
  }

  async #busyWith<T>(fn: () => Promise<T>): Promise<T> {
    this.#busy = true;
    try {
      return await fn();
    } finally {
      this.#busy = false;
    }
  }

  async #append(frames: Buffer[], ops: number): Promise<void> {
    const bytes = this.#write(frames);
    if (this.#options.fsync) await this.#appender.sync(this.#position);
    this.#appended(bytes, ops);
    await this.#maybeCompact();
  }

  #write(frames: Buffer[]): number {
    const bytes = frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames);
    this.#appender.write(bytes, this.#position);
    return bytes.length;
  }

  #appended(bytes: number, ops: number): void {
    this.#reload = false;
    this.#position += bytes;
    this.#records += ops;
  }

  #encode(ops: readonly Op[], batch = false): Buffer {
    const state = this.#state;
    const texts = ops.map((op) => (state.encode ? state.encode(op) : defaultCodec.encode(op)));
    return encodeRecords(texts, batch);
  }

  async #maybeCompact(): Promise<void> {
    const compacted = await compactLog(this.#log, this.#state, this.#records, this.#options.fsync, (ops) =>
      this.#encode(ops),
    );
    if (compacted === undefined) return;
    await this.#reopen();
    this.#position = compacted.bytes;
    this.#records = compacted.records;
  }

  async #reopen(): Promise<void> {
    this.#appender.close();
    await this.#reader?.close();
    this.#reader = await open(this.#log, "r");
    this.#ino = (await this.#reader.stat()).ino;
  }

  async #catchUp(locked: boolean): Promise<void> {
    let info: { ino: number; size: number } | undefined;
    try {
      info = statLog(this.#reader?.fd, this.#log);
      if (info === undefined) {
        if (!locked) return;
        await createFile(this.#log);
        info = statSync(this.#log);
      }
    } catch (err) {
      throw fsError(err, "reading", this.#log);
    }
    if (info.ino !== this.#ino || this.#reload) {
      this.#reload = false;
      await this.#reopen();
      this.#state.reset();
      this.#position = 0;
      this.#records = 0;
    }
    if (info.size === this.#position) return;
    if (info.size < this.#position) {
      throw fileError("CORRUPTION", `${this.#options.what}: the log shrank unexpectedly; restore from a backup`);
    }
    const scan = await replayTail(this.#reader as Handle, this.#position, info.size, this.#state, this.#options.what);
    this.#records += scan.records.length;
    this.#position = scan.end;
    this.truncatedBytes += await this.#damage.settleTail(scan, this.#log, this.#options.what, info.size, locked);
  }

  /** Closes the read handle. */
  close(): Promise<void> {
    return this.#serial.run(async () => {
      this.#appender.close();
      await this.#lock.close();
      await this.#reader?.close();
      this.#reader = undefined;
      this.#ino = -1;
    });
  }
}
