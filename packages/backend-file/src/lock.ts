import { randomBytes } from "node:crypto";
import { closeSync, linkSync, openSync, unlinkSync, writeSync } from "node:fs";
import { link, readFile, rename, unlink } from "node:fs/promises";
import { FILE_MODE } from "./atomic-write.js";
import { fileError, fsError } from "./errors.js";

/** How long a lock may be waited for, and when an abandoned one counts as stale. */
export interface LockOptions {
  /** Give up with `LOCKED` after this long (ms). Default 10 000. */
  timeoutMs?: number;
  /** A lock older than this is broken even if its pid seems alive (ms). Default 30 000. */
  staleMs?: number;
}

/** A held lock. */
export interface HeldLock {
  release(): Promise<void>;
}

// In-process FIFO per lock path: clients of one process queue here instead of spinning on
// the file, and the file only arbitrates between processes.
const queues = new Map<string, Promise<void>>();
/** Stale locks this process broke (for stats and tests). */
export const lockCounters = { recovered: 0 };

/**
 * Whether process `pid` exists on this host.
 *
 * @example
 * ```ts
 * if (!isAlive(lease.pid)) takeOver();
 * ```
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parse(text: string): { pid: number; at: number } | undefined {
  const [pid, at] = text.split(" ").map(Number);
  return Number.isInteger(pid) && Number.isFinite(at) ? { pid: pid as number, at: at as number } : undefined;
}

function isStale(text: string, staleMs: number): boolean {
  const owner = parse(text);
  // Locks are created complete (see tryCreate): an unparsable one is not ours to judge by pid.
  if (owner === undefined) return false;
  // The in-process queue guarantees no live holder in this process: our pid means leftover.
  if (owner.pid === process.pid || !isAlive(owner.pid)) return true;
  return Date.now() - owner.at > staleMs;
}

async function breakStale(path: string, seen: string): Promise<void> {
  // Rename first, then check it was the stale lock we looked at: a plain unlink could
  // remove a fresh lock another process took in between.
  const aside = `${path}.stale-${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  if (moved !== seen) await link(aside, path).catch(() => {});
  else lockCounters.recovered += 1;
  await unlink(aside).catch(() => {});
}

function tryCreate(path: string, content: string): boolean {
  // Write the content to a private file first and link it into place: link() fails with
  // EEXIST atomically, and a lock file never exists without its pid (no half-written lock
  // another process could mistake for an abandoned one). Synchronous: five metadata
  // syscalls cost less than five thread-pool round trips, and this runs on every write.
  const temp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    const fd = openSync(temp, "wx", FILE_MODE);
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw fsError(err, "creating lock", path);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Never created (open failed): nothing to remove.
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock file `path` (created with O_EXCL, holding `pid timestamp`). A lock left
 * by a dead process (or older than `staleMs`) is broken. Waits up to `timeoutMs`, then
 * fails with `LOCKED` (retryable).
 *
 * @example
 * ```ts
 * const lock = await acquireLock("/data/cache/ab/lock");
 * try { … } finally { await lock.release(); }
 * ```
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const previous = queues.get(path) ?? Promise.resolve();
  let leave!: () => void;
  const mine = new Promise<void>((resolve) => {
    leave = resolve;
  });
  const tail = previous.then(() => mine);
  queues.set(path, tail);
  const done = () => {
    leave();
    if (queues.get(path) === tail) queues.delete(path);
  };
  await previous;
  try {
    const deadline = Date.now() + timeoutMs;
    let delay = 1;
    for (;;) {
      if (tryCreate(path, `${process.pid} ${Date.now()}`)) break;
      const seen = await readFile(path, "utf8").catch(() => undefined);
      if (seen !== undefined && isStale(seen, staleMs)) {
        await breakStale(path, seen);
        continue;
      }
      if (Date.now() > deadline) {
        throw fileError("LOCKED", `lock ${path} is held by another process (${seen ?? "?"}); retry later`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 10);
    }
  } catch (err) {
    done();
    throw err;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        unlinkSync(path);
      } catch {
        // Already gone (broken as stale by another process): nothing to release.
      } finally {
        done();
      }
    },
  };
}
