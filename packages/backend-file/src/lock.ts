import { randomBytes } from "node:crypto";
import { closeSync, ftruncateSync, linkSync, openSync, readdirSync, unlinkSync, writeSync } from "node:fs";
import { link, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
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

/**
 * This process's token for one lock path: a private file `<lock>.<pid>` holding
 * `pid timestamp`, kept (with its descriptor) while a {@link LockFile} of the path is open.
 * Taking the lock is `link(token, lock)`, which fails with EEXIST atomically, so the lock
 * file is always complete (never a half-written lock another process could mistake for an
 * abandoned one), and costs no file creation per acquisition.
 */
interface Token {
  readonly path: string;
  readonly file: string;
  fd: number | undefined;
  /** What the token file holds now. */
  content: string;
  users: number;
}

const tokens = new Map<string, Token>();

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
  // Locks are created complete (see takeWith): an unparsable one is not ours to judge by pid.
  if (owner === undefined) return false;
  // The in-process queue guarantees no live holder in this process: our pid means leftover.
  if (owner.pid === process.pid || !isAlive(owner.pid)) return true;
  return Date.now() - owner.at > staleMs;
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to remove.
  }
}

/** Removes the tokens of dead processes beside `path` (left by a crash or a kill). */
function sweepDeadTokens(path: string): void {
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
  else {
    lockCounters.recovered += 1;
    // A dead holder's token is the same file under its private name: remove it too.
    const owner = parse(seen);
    if (owner !== undefined && owner.pid !== process.pid && !isAlive(owner.pid)) removeQuietly(`${path}.${owner.pid}`);
  }
  await unlink(aside).catch(() => {});
}

function openToken(token: Token): number {
  if (token.fd !== undefined) return token.fd;
  // Our pid's token name belongs to no live process but this one: a file of that name was
  // left by a dead process that had our pid, and is overwritten.
  const fd = openSync(token.file, "w", FILE_MODE);
  token.fd = fd;
  token.content = "";
  return fd;
}

function closeToken(token: Token): void {
  if (token.fd === undefined) return;
  try {
    closeSync(token.fd);
  } catch {
    // Nothing pending: the token is written synchronously.
  }
  token.fd = undefined;
}

/**
 * One attempt to take the lock: brings the token's timestamp up to date (it is not the
 * lock while unlinked, so nobody reads it half-written) and links it into place.
 * Synchronous: three metadata-sized syscalls cost less than three thread-pool round
 * trips, and this runs on every write.
 */
function takeWith(token: Token, content: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openToken(token);
      if (content !== token.content) {
        writeSync(fd, content, 0);
        if (content.length < token.content.length) ftruncateSync(fd, content.length);
        token.content = content;
      }
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A lock file `path` (holding `pid timestamp`) that this process takes and releases
 * repeatedly. Keeps this process's token file (`<path>.<pid>`) and its descriptor open
 * between acquisitions; {@link LockFile.close} removes it. Tokens of dead processes beside
 * the lock are removed on first use. A lock left by a dead process (or older than
 * `staleMs`) is broken. Waits up to `timeoutMs`, then fails with `LOCKED` (retryable).
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
  #token: Token | undefined;

  constructor(path: string, options: LockOptions = {}) {
    this.#path = path;
    this.#options = options;
  }

  #use(): Token {
    if (this.#token !== undefined) return this.#token;
    let token = tokens.get(this.#path);
    if (token === undefined) {
      sweepDeadTokens(this.#path);
      token = { path: this.#path, file: `${this.#path}.${process.pid}`, fd: undefined, content: "", users: 0 };
      tokens.set(this.#path, token);
    }
    token.users++;
    this.#token = token;
    return token;
  }

  /**
   * Takes the lock (after this process's earlier holders of the same path).
   *
   * @example
   * ```ts
   * const lock = await file.acquire();
   * ```
   */
  async acquire(): Promise<HeldLock> {
    const path = this.#path;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const staleMs = this.#options.staleMs ?? 30_000;
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
      const token = this.#use();
      const deadline = Date.now() + timeoutMs;
      let delay = 1;
      for (;;) {
        if (takeWith(token, `${process.pid} ${Date.now()}`)) break;
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

  /**
   * Stops using the token: the last {@link LockFile} of the path in this process closes
   * and removes it. Call when no acquisition is pending.
   *
   * @example
   * ```ts
   * file.close();
   * ```
   */
  close(): void {
    const token = this.#token;
    if (token === undefined) return;
    this.#token = undefined;
    if (--token.users > 0) return;
    tokens.delete(token.path);
    closeToken(token);
    removeQuietly(token.file);
  }
}
