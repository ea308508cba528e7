import { readFile } from "node:fs/promises";
import { fileError } from "./errors.js";
import { breakStale, isStale, readQuietly, removeQuietly, sweepDeadTokens } from "./lock-stale.js";
import {
  clearWaiting,
  closeToken,
  letGo,
  releaseOnExit,
  restamp,
  signalWaiting,
  someoneWaits,
  type Token,
  takeWith,
  tokens,
} from "./lock-token.js";

export { isAlive, lockCounters } from "./lock-stale.js";

/** How long a lock may be waited for, and when an abandoned one counts as stale. */
export interface LockOptions {
  /** Give up with `LOCKED` after this long (ms). Default 10 000. */
  timeoutMs?: number;
  /** A lock older than this is broken even if its pid seems alive (ms). Default 30 000. */
  staleMs?: number;
}

/** A held lock. */
export interface HeldLock {
  /**
   * True when this {@link LockFile} held the lock last and this process kept it since (a
   * burst, see {@link LockFile}): no other process or lock object can have written in
   * between, so what the holder read under its previous hold is still current.
   */
  readonly continued: boolean;
  /** `more`: the holder has more to write at once (a burst lock stays linked for it). */
  release(more?: boolean): Promise<void>;
}

/** A burst's bounds (see {@link LockFile}). */
const BURST = {
  /** Longest continuous hold of a kept lock (ms); capped at a quarter of `staleMs`. */
  maxHoldMs: 50,
  /** Look for a waiter's marker at most this often while writing (ms). */
  checkMs: 1,
  /** After letting go for a waiter, leave it this long to take the lock (ms). */
  yieldMs: 20,
};

// In-process FIFO per lock path: clients of one process queue here instead of spinning on
// the file, and the file only arbitrates between processes.
const queues = new Map<string, Promise<void>>();

/** What a lock file holds: `pid timestamp`. */
const stamp = () => `${process.pid} ${Date.now()}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A lock file `path` (holding `pid timestamp`, linked from this process's token, see
 * lock-token.ts) taken and released repeatedly; {@link LockFile.close} removes the token.
 * A lock left by a dead process (or older than `staleMs`) is broken (lock-stale.ts).
 * Waits up to `timeoutMs`, then fails with `LOCKED` (retryable).
 *
 * With `burst`, a release keeps the lock linked while more holds of this process already
 * wait for it (another lock object queued, or the holder has more to write): the next
 * hold costs no syscall and gets `continued` when its object held it last. It is let go
 * at the first release with nothing queued (never kept for writes that may not come: a
 * process blocked on a synchronous child writing the same store must not hold it), once
 * `maxHoldMs` old (its timestamp never ages towards `staleMs`), or as soon as another
 * process shows it waits (lock-token.ts), which then gets the lock first. A process
 * killed while keeping it leaves a dead pid: broken as before.
 *
 * @example
 * ```ts
 * const file = new LockFile("/data/cache/ab/lock", { timeoutMs: 5000 });
 * const lock = await file.acquire();
 * try { … } finally { await lock.release(); }
 * file.close();
 * ```
 */
export class LockFile {
  readonly #path: string;
  readonly #options: LockOptions;
  readonly #burst: boolean;
  #token: Token | undefined;

  constructor(path: string, options: LockOptions = {}, burst = false) {
    this.#path = path;
    this.#options = options;
    this.#burst = burst;
  }

  #use(): Token {
    if (this.#token !== undefined) return this.#token;
    let token = tokens.get(this.#path);
    if (token === undefined) {
      sweepDeadTokens(this.#path);
      token = {
        path: this.#path,
        file: `${this.#path}.${process.pid}`,
        fd: undefined,
        content: "",
        users: 0,
        kept: undefined,
        yieldedAt: 0,
      };
      tokens.set(this.#path, token);
    }
    token.users++;
    this.#token = token;
    return token;
  }

  #maxHoldMs(): number {
    return Math.min(BURST.maxHoldMs, (this.#options.staleMs ?? 30_000) / 4);
  }

  /** Takes the lock (after this process's earlier holders of the same path). */
  async acquire(): Promise<HeldLock> {
    const path = this.#path;
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
    let continued = false;
    let token: Token;
    try {
      token = this.#use();
      const kept = token.kept;
      if (kept !== undefined && Date.now() - kept.since <= this.#maxHoldMs()) {
        continued = kept.owner === this;
        kept.owner = this;
        kept.busy = true;
      } else {
        if (kept !== undefined) letGo(token);
        await this.#take(token);
      }
    } catch (err) {
      done();
      throw err;
    }
    let released = false;
    return {
      continued,
      release: async (more = false) => {
        if (released) return;
        released = true;
        try {
          if (!this.#keep(token, more || queues.get(path) !== tail)) letGo(token);
        } finally {
          done();
        }
      },
    };
  }

  /**
   * Takes the lock at once, without waiting: a stale one (dead holder, or older than
   * `staleMs`) is broken first; one held by a live process fails with `LOCKED` and its
   * `pid timestamp` in the message. For a lock held until {@link LockFile.close} (an
   * exclusive backend's directory lock); the caller keeps other holds of this process away.
   * Returns the function that lets it go.
   */
  takeNow(): () => void {
    const token = this.#use();
    let seen: string | undefined;
    // A few attempts: the holder may let go, or another process break the same stale lock.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (takeWith(token, stamp())) return () => letGo(token);
      seen = readQuietly(this.#path);
      if (seen === undefined || !isStale(seen, this.#options.staleMs ?? 30_000)) continue;
      breakStale(this.#path, seen);
    }
    throw fileError("LOCKED", `lock ${this.#path} is held by another process (${seen ?? "?"})`);
  }

  /**
   * For a lock held for a long time: false when it is no longer this process's (broken as
   * stale by another process while this one hung), else its timestamp is renewed.
   */
  restamp(): boolean {
    return this.#token !== undefined && restamp(this.#token, stamp());
  }

  /** Links the lock into place, waiting for (or breaking) another process's. */
  async #take(token: Token): Promise<void> {
    const path = this.#path;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const staleMs = this.#options.staleMs ?? 30_000;
    if (token.yieldedAt !== 0) {
      // This process let go for a waiter: leave it the lock (its marker goes once it has it).
      const until = token.yieldedAt + BURST.yieldMs;
      token.yieldedAt = 0;
      while (someoneWaits(path) && Date.now() < until) await sleep(1);
      // Still there: a waiter that died, or one slow to poll (it places it again).
      if (Date.now() >= until) clearWaiting(path);
    }
    const deadline = Date.now() + timeoutMs;
    let delay = 1;
    let signalled = false;
    try {
      for (;;) {
        if (takeWith(token, stamp())) break;
        const seen = await readFile(path, "utf8").catch(() => undefined);
        if (seen !== undefined && isStale(seen, staleMs)) {
          breakStale(path, seen);
          continue;
        }
        if (Date.now() > deadline) {
          throw fileError("LOCKED", `lock ${path} is held by another process (${seen ?? "?"}); retry later`);
        }
        // Every attempt: a holder that took an earlier marker for a dead waiter's removed it.
        signalled = signalWaiting(path, token.file) || signalled;
        await sleep(delay);
        // A holder keeping its lock for a burst lets go within about a millisecond of the
        // signal: poll often enough to be there when it does.
        delay = Math.min(delay * 2, 4);
      }
    } finally {
      if (signalled) clearWaiting(path);
    }
    if (this.#burst) {
      const now = Date.now();
      token.kept = { since: now, owner: this, busy: true, checkedAt: now, idle: undefined };
      releaseOnExit();
    }
  }

  /**
   * At a release: whether the burst goes on (the lock stays linked for the next hold).
   * `queued`: another hold of this process is already waiting for it.
   */
  #keep(token: Token, queued: boolean): boolean {
    const kept = token.kept;
    if (kept === undefined || !this.#burst) return false;
    kept.busy = false;
    if (!queued) return false;
    const now = Date.now();
    if (now - kept.since > this.#maxHoldMs()) return false;
    if (now - kept.checkedAt >= BURST.checkMs) {
      kept.checkedAt = now;
      if (someoneWaits(this.#path)) {
        token.yieldedAt = now;
        return false;
      }
    }
    // Backstop: the queued hold always comes, but should it not, idle means let go.
    kept.idle ??= setImmediate(() => {
      kept.idle = undefined;
      if (token.kept === kept && !kept.busy) letGo(token);
    });
    return true;
  }

  /**
   * Stops using the token: the last {@link LockFile} of the path in this process lets a
   * kept lock go, and closes and removes the token. Call when no acquisition is pending.
   */
  close(): void {
    const token = this.#token;
    if (token === undefined) return;
    this.#token = undefined;
    if (token.kept?.owner === this) token.kept.owner = undefined;
    if (--token.users > 0) return;
    if (token.kept !== undefined) letGo(token);
    tokens.delete(token.path);
    closeToken(token);
    removeQuietly(token.file);
  }
}
