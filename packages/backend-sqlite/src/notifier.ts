import type { BetterSqliteDatabase, SqliteStatement } from "./driver.js";

/**
 * How often `PRAGMA data_version` is read while someone waits (ms). A read costs a couple
 * of microseconds, so even this fast a poll is ~0.1% of a core, and only while a reader is
 * blocked; the timer stops when the last waiter leaves.
 */
export const POLL_MS = 2;

/** Period of the timer that only holds the process while an in-process-only reader waits. */
const HOLD_MS = 2 ** 31 - 1;

/** Where a reader was when it last looked: wake it if anything changed since. */
export interface Mark {
  /** Writes of this connection to the key seen so far. */
  readonly generation: number;
  /** data_version seen (undefined: in-process only). */
  readonly version: number | undefined;
}

interface Waiter {
  readonly key: string;
  /** data_version when the waiter last looked at the data (undefined: in-process only). */
  readonly since: number | undefined;
  readonly wake: () => void;
}

/**
 * Wakes readers blocked at the end of a log (queue streams, transport subscribers).
 * Writers of this connection call {@link Notifier.notify} after they commit, which wakes
 * waiters at once. Commits of other connections (other processes, or another backend on
 * the same file) are seen by polling `PRAGMA data_version` every {@link POLL_MS} ms — only
 * while someone waits. That timer is ref'd on purpose: an active blocking wait keeps the
 * process alive (PROTOCOLS.md §0), and it stops when the last waiter leaves (woken,
 * aborted) or on close. Without cross-process polling an idle timer holds the process.
 *
 * @example
 * ```ts
 * const mark = notifier.mark("queue:events");
 * if (page.length === 0) await notifier.wait("queue:events", mark, signal);
 * ```
 */
export class Notifier {
  readonly #db: BetterSqliteDatabase;
  readonly #crossProcess: boolean;
  readonly #waiters = new Set<Waiter>();
  readonly #generations = new Map<string, number>();
  #versionStatement: SqliteStatement | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(db: BetterSqliteDatabase, crossProcess: boolean) {
    this.#db = db;
    this.#crossProcess = crossProcess;
  }

  /** The connection's `data_version` (changes when another connection commits). */
  version(): number | undefined {
    if (!this.#crossProcess || this.#closed) return undefined;
    this.#versionStatement ??= this.#db.prepare<unknown[]>("PRAGMA data_version").pluck();
    return this.#versionStatement.get() as number;
  }

  /** Take before reading: a later `wait` returns at once if a write came in between. */
  mark(key: string): Mark {
    let generation = this.#generations.get(key);
    if (generation === undefined) {
      generation = 0;
      this.#generations.set(key, generation);
    }
    return { generation, version: this.version() };
  }

  /** Wakes the waiters of `key` (a write of this connection committed). */
  notify(key: string): void {
    // Only keys someone marked (blocking readers) are counted: one number per such key.
    const generation = this.#generations.get(key);
    if (generation !== undefined) this.#generations.set(key, generation + 1);
    for (const waiter of this.#waiters) if (waiter.key === key) waiter.wake();
  }

  /**
   * Resolves on `notify(key)` or a write of this connection since `mark`, on a commit by
   * another connection since `mark`, or when a signal aborts. Never rejects.
   */
  wait(key: string, mark: Mark, ...signals: (AbortSignal | undefined)[]): Promise<void> {
    const since = mark.version;
    return new Promise((resolve) => {
      if (this.#closed || signals.some((s) => s?.aborted)) return resolve();
      if ((this.#generations.get(key) ?? 0) !== mark.generation) return resolve();
      const waiter: Waiter = {
        key,
        since,
        wake: () => {
          this.#waiters.delete(waiter);
          for (const s of signals) s?.removeEventListener("abort", waiter.wake);
          if (this.#waiters.size === 0) this.#stopPolling();
          resolve();
        },
      };
      this.#waiters.add(waiter);
      for (const s of signals) s?.addEventListener("abort", waiter.wake, { once: true });
      this.#startTimer();
    });
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    // Ref'd: while a reader waits the process stays up; #stopPolling releases it.
    this.#timer = this.#crossProcess ? setInterval(() => this.#poll(), POLL_MS) : setInterval(() => {}, HOLD_MS);
  }

  #stopPolling(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #poll(): void {
    let current: number | undefined;
    try {
      current = this.version();
    } catch {
      // The connection went away: wake everyone so they see the error (or CLOSED).
      current = undefined;
    }
    for (const waiter of [...this.#waiters]) {
      if (waiter.since !== undefined && waiter.since !== current) waiter.wake();
    }
  }

  /** Wakes every waiter and stops polling; later waits resolve at once. */
  close(): void {
    this.#closed = true;
    for (const waiter of [...this.#waiters]) waiter.wake();
    this.#stopPolling();
  }
}
