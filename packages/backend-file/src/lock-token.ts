import { existsSync, fstatSync, ftruncateSync, linkSync, openSync, statSync, writeSync } from "node:fs";
import { closeQuietly, FILE_MODE } from "./atomic-write.js";
import { fsError } from "./errors.js";
import { removeQuietly } from "./lock-stale.js";

/**
 * This process's token for one lock path: a private file `<lock>.<pid>` holding
 * `pid timestamp`, kept (with its descriptor) while a {@link LockFile} of the path is open.
 * Taking the lock is `link(token, lock)`, which fails with EEXIST atomically, so the lock
 * file is always complete (never a half-written lock another process could mistake for an
 * abandoned one), and costs no file creation per acquisition.
 */
export interface Token {
  readonly path: string;
  readonly file: string;
  fd: number | undefined;
  /** What the token file holds now. */
  content: string;
  users: number;
  /** The lock is this process's and kept between holds (a burst); undefined otherwise. */
  kept: Kept | undefined;
  /** When this process last let go of a kept lock for a waiting process (ms, 0: never). */
  yieldedAt: number;
}

/** A lock kept by this process between holds. */
export interface Kept {
  /** When it was linked (ms): a kept lock older than the maximum hold is let go. */
  readonly since: number;
  /** The lock object that held it last (its next hold is `continued`). */
  owner: object | undefined;
  /** True while some lock object of this process holds it. */
  busy: boolean;
  /** When the holder last looked for a waiter (ms). */
  checkedAt: number;
  /** The release scheduled for when this process is next idle. */
  idle: NodeJS.Immediate | undefined;
}

/** This process's tokens by lock path (one per path, shared by its lock objects). */
export const tokens = new Map<string, Token>();

function openToken(token: Token): number {
  if (token.fd !== undefined) return token.fd;
  // Our pid's token name belongs to no live process but this one: a file of that name was
  // left by a dead process that had our pid, and is overwritten.
  const fd = openSync(token.file, "w", FILE_MODE);
  token.fd = fd;
  token.content = "";
  return fd;
}

/** Overwrites the token file (open as `fd`) with `content`. */
function writeContent(token: Token, fd: number, content: string): void {
  writeSync(fd, content, 0);
  if (content.length < token.content.length) ftruncateSync(fd, content.length);
  token.content = content;
}

/** Closes the token's descriptor (the file stays). */
export function closeToken(token: Token): void {
  closeQuietly(token.fd);
  token.fd = undefined;
}

/**
 * One attempt to take the lock: brings the token's timestamp up to date (it is not the
 * lock while unlinked, so nobody reads it half-written) and links it into place.
 * Synchronous: three metadata-sized syscalls cost less than three thread-pool round
 * trips, and this runs on every write.
 */
export function takeWith(token: Token, content: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openToken(token);
      if (content !== token.content) writeContent(token, fd, content);
      linkSync(token.file, token.path);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      // The token was removed (a sweep that took our pid for a dead one, a cleaned
      // directory): make it again, once.
      if (code === "ENOENT" && attempt === 0) {
        closeToken(token);
        continue;
      }
      throw fsError(err, "creating lock", token.path);
    }
  }
}

/**
 * For a lock held for a long time (an exclusive backend's): whether `token.path` is still
 * this token's inode (nobody broke it as stale), and if so a fresh timestamp in it, so
 * other processes never find it older than `staleMs` while this process lives and runs.
 */
export function restamp(token: Token, content: string): boolean {
  if (token.fd === undefined) return false;
  try {
    if (statSync(token.path, { throwIfNoEntry: false })?.ino !== fstatSync(token.fd).ino) return false;
    writeContent(token, token.fd, content);
    return true;
  } catch {
    return false;
  }
}

/** Unlinks a kept lock (its burst is over). */
export function letGo(token: Token): void {
  const kept = token.kept;
  token.kept = undefined;
  if (kept?.idle !== undefined) clearImmediate(kept.idle);
  removeQuietly(token.path); // may be gone already: broken as stale by another process
}

let exitHook = false;

/** A process that exits with a kept lock leaves none behind (others need not break it). */
export function releaseOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on("exit", () => {
    for (const token of tokens.values()) if (token.kept !== undefined) letGo(token);
  });
}

/**
 * The file a process waiting for lock `path` shows itself with: `<path>.waiting`. A holder
 * that keeps its lock across a burst of writes (see {@link LockFile}) looks for it between
 * writes and lets go, so a waiter is served within a bounded time however busy the holder.
 */
export function waiterMarker(path: string): string {
  return `${path}.waiting`;
}

/**
 * Shows that this process waits for the lock: links its token (complete `pid timestamp`
 * text, so a marker is never half-written) as the marker. One syscall; a marker already
 * there (another waiter's) says the same and is left. True when this call placed it.
 */
export function signalWaiting(path: string, tokenFile: string): boolean {
  try {
    linkSync(tokenFile, waiterMarker(path));
    return true;
  } catch {
    // EEXIST: someone already waits, the signal stands. Anything else: the holder's
    // maximum hold still bounds the wait, so a missing signal costs time, not safety.
    return false;
  }
}

/** Whether some process shows that it waits for lock `path` (one `access` syscall). */
export function someoneWaits(path: string): boolean {
  return existsSync(waiterMarker(path));
}

/**
 * Removes the marker once its waiter holds the lock (or a yielding holder gave up waiting
 * for it: a waiter that died leaves it). Waiters still waiting place it again on their
 * next attempt.
 */
export function clearWaiting(path: string): void {
  removeQuietly(waiterMarker(path));
}
