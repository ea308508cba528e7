import { AsyncLocalStorage } from "node:async_hooks";

/**
 * A FIFO async mutex. SQL backends use it to order the statements and savepoints of one
 * transaction on its connection (so nested transactions unwind strictly LIFO, and a
 * statement never silently joins someone else's open transaction). `hold` marks the async
 * context of a holder so code inside it can tell that waiting for the lock would hang.
 *
 * @example
 * ```ts
 * const mutex = new AsyncMutex();
 * await mutex.run(() => client.query("select 1"));
 * ```
 */
export class AsyncMutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  /** True while someone holds the lock. */
  get locked(): boolean {
    return this.#locked;
  }

  /**
   * Runs `fn` once the lock is free and holds it until `fn` settles. When the lock is free,
   * a synchronous `fn` runs at once (in the same tick).
   *
   * @example
   * ```ts
   * await mutex.run(async () => { begin(); await work(); commit(); });
   * ```
   */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#locked) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#locked = true;
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  /**
   * Waits for the lock and returns the function that releases it (idempotent): for a lock
   * held across calls, such as an explicit SQL transaction from `begin()` to `commit()`.
   *
   * @example
   * ```ts
   * const release = await mutex.acquire();
   * try { begin(); } catch (err) { release(); throw err; }
   * ```
   */
  async acquire(): Promise<() => void> {
    if (this.#locked) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#locked = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  /**
   * Like {@link run}, for a callback that awaits other work while holding the lock (a
   * transaction): code running inside it can ask {@link heldByCaller} before waiting for
   * the lock again, which would deadlock.
   *
   * @example
   * ```ts
   * await mutex.hold(async () => { begin(); await userCallback(); commit(); });
   * ```
   */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(async () => {
      const hold: Hold = { mutex: this, active: true };
      try {
        return await holds.run([...(holds.getStore() ?? []), hold], fn);
      } finally {
        hold.active = false;
      }
    });
  }

  /**
   * True when the calling code runs inside a {@link hold} callback of this mutex that is
   * still holding it: waiting for the lock here would never end.
   *
   * @example
   * ```ts
   * if (mutex.heldByCaller()) throw new Error("use the transaction object");
   * ```
   */
  heldByCaller(): boolean {
    return holds.getStore()?.some((h) => h.mutex === this && h.active) === true;
  }

  #release(): void {
    const next = this.#waiters.shift();
    // The lock passes straight to the next waiter, so nobody can barge in between.
    if (next) next();
    else this.#locked = false;
  }
}

interface Hold {
  readonly mutex: AsyncMutex;
  active: boolean;
}

/** The holds the current async context runs inside (one store for every mutex). */
const holds = new AsyncLocalStorage<readonly Hold[]>();
