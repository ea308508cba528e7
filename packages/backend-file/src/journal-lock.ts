import type { ExclusiveLease } from "./exclusive-lease.js";
import { type HeldLock, LockFile, type LockOptions } from "./lock.js";

const DONE = Promise.resolve();
/** An exclusive journal's lock after its first hold: still held, nobody else wrote since. */
const KEPT: HeldLock = { continued: true, release: () => DONE };

/**
 * A journal's lock file (`dir/lock`): taken for each commit (kept across a burst, see
 * lock.ts), or — when the backend holds its directory exclusively — taken at first use,
 * renewed by the lease and kept until {@link JournalLock.close}.
 *
 * @example
 * ```ts
 * const lock = new JournalLock("/data/cache/ab/lock", {}, undefined);
 * const held = await lock.acquire();
 * await held.release();
 * await lock.close();
 * ```
 */
export class JournalLock {
  readonly #file: LockFile;
  readonly #lease: ExclusiveLease | undefined;
  #held: HeldLock | undefined;

  constructor(path: string, options: LockOptions, lease: ExclusiveLease | undefined) {
    // Shared: kept across a burst of writes, so a write of the same journal that finds it
    // `continued` skips the catch-up (nobody else can have appended) and the lock's syscalls.
    // Exclusive: held from first use to close, so no burst bookkeeping.
    this.#file = new LockFile(path, options, lease === undefined);
    this.#lease = lease;
  }

  /** Exclusive, taken and not lost: no other process can write the log. */
  get holding(): boolean {
    return this.#held !== undefined && this.#lease?.lost === undefined;
  }

  /** The lock for one commit (or catch-up): taken each time, or (exclusive) once and then kept. */
  async acquire(): Promise<HeldLock> {
    const lease = this.#lease;
    if (lease === undefined) return this.#file.acquire();
    if (lease.lost !== undefined) throw lease.lost;
    if (this.#held !== undefined) return KEPT;
    this.#held = await this.#file.acquire();
    lease.add(this.#file);
    return { continued: false, release: () => DONE };
  }

  /** Lets a kept lock go and closes the lock file (call when no acquisition is pending). */
  async close(): Promise<void> {
    const held = this.#held;
    this.#held = undefined;
    this.#lease?.delete(this.#file);
    // A lock broken by another process may be its lock by now: only our own is let go.
    if (held !== undefined && this.#lease?.lost === undefined) await held.release();
    this.#file.close();
  }
}
