import { join } from "node:path";
import type { BackendError } from "@core/protocols";
import { fileError } from "./errors.js";
import { LockFile, type LockOptions } from "./lock.js";
import { isStale, readQuietly } from "./lock-stale.js";

/** The directory lock of an exclusive backend: `<directory>/exclusive.lock`. */
export function exclusiveLockPath(directory: string): string {
  return join(directory, "exclusive.lock");
}

/** Backends of this process per directory: how many shared ones, and whether one is exclusive. */
const opened = new Map<string, { shared: number; exclusive: boolean }>();

function openedIn(directory: string): { shared: number; exclusive: boolean } {
  let entry = opened.get(directory);
  if (entry === undefined) {
    entry = { shared: 0, exclusive: false };
    opened.set(directory, entry);
  }
  return entry;
}

function leave(directory: string, exclusive: boolean): void {
  const entry = opened.get(directory);
  if (entry === undefined) return;
  if (exclusive) entry.exclusive = false;
  else entry.shared--;
  if (entry.shared <= 0 && !entry.exclusive) opened.delete(directory);
}

function refused(directory: string, holder: string): BackendError {
  return fileError(
    "LOCKED",
    `directory ${directory} is open exclusively (exclusive: true) by ${holder}; close that backend first, or open every backend of the directory shared`,
  );
}

/**
 * Registers a shared (default) backend of `directory`, refusing with `LOCKED` when an
 * exclusive backend holds it (its `exclusive.lock` names a live process, or one of this
 * process has it). Returns the function that unregisters it at close.
 *
 * @example
 * ```ts
 * const leaveShared = enterShared("/srv/data", 30_000);
 * lifecycle.onClose(leaveShared);
 * ```
 */
export function enterShared(directory: string, staleMs: number): () => void {
  const entry = openedIn(directory);
  if (entry.exclusive) throw refused(directory, "another backend of this process");
  const seen = readQuietly(exclusiveLockPath(directory));
  // A stale one (dead holder) is no obstacle: the next exclusive opener breaks it.
  if (seen !== undefined && !isStale(seen, staleMs)) throw refused(directory, `process ${seen.split(" ")[0]}`);
  entry.shared++;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    leave(directory, false);
  };
}

/**
 * What an exclusive backend (`exclusive: true`) holds: its directory's `exclusive.lock`,
 * taken at open without waiting (`LOCKED` if a live process has it; a dead holder's is
 * broken per the stale-lock rules), and every store lock its journals take on first use
 * and keep until close. A timer renews their timestamps every quarter of `staleMs`, so no
 * other process ever finds them stale while this one runs; should one be broken anyway
 * (this process hung for longer than `staleMs`), {@link ExclusiveLease.lost} says so and
 * every later operation of the backend fails with it.
 *
 * @example
 * ```ts
 * const lease = ExclusiveLease.take("/srv/data", { staleMs: 30_000 });
 * lease.add(storeLock); // after taking it
 * lease.release();
 * ```
 */
export class ExclusiveLease {
  readonly #directory: string;
  readonly #file: LockFile;
  readonly #letGo: () => void;
  readonly #stores = new Set<LockFile>();
  readonly #timer: NodeJS.Timeout;
  #released = false;
  /** Set once one of the held locks was found broken by another process. */
  lost: BackendError | undefined;

  private constructor(directory: string, file: LockFile, letGo: () => void, staleMs: number) {
    this.#directory = directory;
    this.#file = file;
    this.#letGo = letGo;
    this.#timer = setInterval(() => this.#renew(), Math.max(10, staleMs / 4));
    this.#timer.unref();
  }

  /** Takes `directory`'s exclusive lock now, or fails with `LOCKED`. */
  static take(directory: string, options: LockOptions): ExclusiveLease {
    const entry = openedIn(directory);
    if (entry.exclusive || entry.shared > 0) {
      throw refused(directory, entry.exclusive ? "another backend of this process" : "this process (shared)");
    }
    const file = new LockFile(exclusiveLockPath(directory), options);
    let letGo: () => void;
    try {
      letGo = file.takeNow();
    } catch (err) {
      file.close();
      if (entry.shared <= 0 && !entry.exclusive) opened.delete(directory);
      const holder = /\((\d+) /.exec((err as Error).message)?.[1];
      throw holder === undefined ? err : refused(directory, `process ${holder}`);
    }
    entry.exclusive = true;
    return new ExclusiveLease(directory, file, letGo, options.staleMs ?? 30_000);
  }

  /** Keeps `lock` (taken by a journal, held until close) fresh with the directory's. */
  add(lock: LockFile): void {
    this.#stores.add(lock);
  }

  /** Stops renewing `lock` (its journal closed and let it go). */
  delete(lock: LockFile): void {
    this.#stores.delete(lock);
  }

  #renew(): void {
    if (this.lost !== undefined) return;
    for (const lock of [this.#file, ...this.#stores]) {
      if (lock.restamp()) continue;
      this.lost = fileError(
        "LOCKED",
        `the exclusive locks of ${this.#directory} were broken by another process (this one did not run for longer than staleLockMs); close this backend and open it again`,
      );
      return;
    }
  }

  /** Lets the directory go (after the journals let their store locks go). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    // A broken lock may be another process's by now: only our own is unlinked.
    if (this.lost === undefined) this.#letGo();
    this.#file.close();
    leave(this.#directory, true);
  }
}
