import { randomBytes } from "node:crypto";
import { linkSync, readdirSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";

// How a lock file left by a dead or hung process is recognised and broken.

/**
 * Stale locks this process broke (for stats and tests).
 *
 * @example
 * ```ts
 * import { lockCounters } from "@core/backend-file";
 * console.log(`stale locks recovered: ${lockCounters.recovered}`);
 * ```
 */
export const lockCounters = { recovered: 0 };

/** Whether process `pid` exists on this host. */
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

/**
 * Whether the lock holding `text` (`pid timestamp`) is abandoned: its pid is dead or this
 * process's, or it is older than `staleMs`.
 */
export function isStale(text: string, staleMs: number): boolean {
  const owner = parse(text);
  // Locks are created complete (see takeWith): an unparsable one is not ours to judge by pid.
  if (owner === undefined) return false;
  // The in-process queue guarantees no live holder in this process: our pid means leftover.
  if (owner.pid === process.pid || !isAlive(owner.pid)) return true;
  return Date.now() - owner.at > staleMs;
}

/** Unlinks `file` if it is there. */
export function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to remove.
  }
}

/** Removes the tokens of dead processes beside `path` (left by a crash or a kill). */
export function sweepDeadTokens(path: string): void {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return; // no directory yet: no tokens either
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    // `<lock>.stale-*` files and foreign names are not tokens; a live pid's token is in use.
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
    removeQuietly(join(dirname(path), name));
  }
}

/**
 * Breaks the stale lock `path` that held `seen`, unless another process replaced it
 * meanwhile. Synchronous: it is rare, four metadata syscalls, and an exclusive backend
 * breaks a dead holder's lock from its constructor.
 */
export function breakStale(path: string, seen: string): void {
  // Rename first, then check it was the stale lock we looked at: a plain unlink could
  // remove a fresh lock another process took in between.
  const aside = `${path}.stale-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  const moved = readQuietly(aside) ?? "";
  if (moved !== seen) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone took the lock meanwhile: theirs stands, the renamed one goes.
    }
  } else {
    lockCounters.recovered += 1;
    // A dead holder's token is the same file under its private name: remove it too.
    const owner = parse(seen);
    if (owner !== undefined && owner.pid !== process.pid && !isAlive(owner.pid)) removeQuietly(`${path}.${owner.pid}`);
  }
  removeQuietly(aside);
}

/** The text of `file`, or undefined when it cannot be read (gone already). */
export function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
