import { existsSync, linkSync, unlinkSync } from "node:fs";

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
  try {
    unlinkSync(waiterMarker(path));
  } catch {
    // Already gone: nobody else waits.
  }
}
