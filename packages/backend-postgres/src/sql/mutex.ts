/**
 * A FIFO async mutex: orders the statements and savepoints of one transaction on its
 * checked-out client, so nested transactions unwind strictly LIFO.
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

  /**
   * Runs `fn` once the lock is free, holding it until `fn` settles.
   *
   * @example
   * ```ts
   * await mutex.run(async () => { await a(); await b(); });
   * ```
   */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#locked) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#locked = true;
    try {
      return await fn();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#locked = false;
    }
  }
}
