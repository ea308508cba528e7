import { AsyncLocalStorage } from "node:async_hooks";

/**
 * A FIFO async mutex for the one better-sqlite3 connection. better-sqlite3 runs each
 * statement synchronously, but a transaction spans `await`s: while one is open, every other
 * statement on the connection must wait, or it would silently join (and commit or roll back
 * with) that transaction. Every store that issues statements while an SQL transaction may
 * be open should run them through {@link SqliteMutex.run} on the backend's shared mutex
 * (`sqliteMutexFor(db)`).
 *
 * @example
 * ```ts
 * const mutex = sqliteMutexFor(shared.db);
 * const rows = await mutex.run(() => shared.prepare("select 1").all());
 * ```
 */
export class SqliteMutex {
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
  readonly mutex: SqliteMutex;
  active: boolean;
}

/** The holds the current async context runs inside (one store for every mutex). */
const holds = new AsyncLocalStorage<readonly Hold[]>();

const mutexes = new WeakMap<object, SqliteMutex>();

/**
 * The one mutex of a better-sqlite3 connection, shared by every store of every backend
 * built on that connection.
 *
 * @example
 * ```ts
 * await sqliteMutexFor(shared.db).run(() => statement.run(key, value));
 * ```
 */
export function sqliteMutexFor(db: object): SqliteMutex {
  let mutex = mutexes.get(db);
  if (!mutex) {
    mutex = new SqliteMutex();
    mutexes.set(db, mutex);
  }
  return mutex;
}
