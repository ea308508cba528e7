import type { SqliteDatabase } from "./driver.js";

/** How often `PRAGMA data_version` is read while someone waits (ms). */
export const POLL_MS = 25;

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
 * while someone waits, on an unref'd timer.
 *
 * @example
 * ```ts
 * const since = notifier.version();
 * if (page.length === 0) await notifier.wait("queue:events", since, signal);
 * ```
 */
export class Notifier {
  readonly #db: SqliteDatabase;
  readonly #crossProcess: boolean;
  readonly #waiters = new Set<Waiter>();
  #versionStatement: ReturnType<SqliteDatabase["prepare"]> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(db: SqliteDatabase, crossProcess: boolean) {
    this.#db = db;
    this.#crossProcess = crossProcess;
  }

  /** The connection's `data_version` (changes when another connection commits). */
  version(): number | undefined {
    if (!this.#crossProcess || this.#closed) return undefined;
    this.#versionStatement ??= this.#db.prepare("PRAGMA data_version").pluck();
    return this.#versionStatement.get() as number;
  }

  /** Wakes the waiters of `key` (a write of this connection committed). */
  notify(key: string): void {
    for (const waiter of this.#waiters) if (waiter.key === key) waiter.wake();
  }

  /**
   * Resolves on `notify(key)`, on a commit by another connection after `since`, or when a
   * signal aborts. Never rejects.
   */
  wait(key: string, since: number | undefined, ...signals: (AbortSignal | undefined)[]): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed || signals.some((s) => s?.aborted)) return resolve();
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
      if (since !== undefined) this.#startPolling();
    });
  }

  #startPolling(): void {
    if (this.#timer !== undefined || !this.#crossProcess) return;
    this.#timer = setInterval(() => this.#poll(), POLL_MS);
    this.#timer.unref();
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
