import { setMaxListeners } from "node:events";
import { closedError } from "./errors.js";

/**
 * Open/closed state of a backend: rejects calls after `close()` with `CLOSED`, tracks
 * in-flight work so `close()` can wait for it, aborts blocking readers and runs cleanups
 * (timers, connections) exactly once.
 *
 * @example
 * ```ts
 * const life = new Lifecycle("memory");
 * const get = (k: string) => life.run(async () => map.get(k));
 * life.onClose(() => clearInterval(timer));
 * await life.close();
 * ```
 */
export class Lifecycle {
  readonly backend: string;
  readonly #abort = new AbortController();
  // A count, not a set of promises: `run` is on every call's path, and a bound handler
  // settles the count without allocating a closure or touching a Set per call.
  #inFlight = 0;
  #idle: (() => void) | undefined;
  readonly #settled = (): void => {
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#idle !== undefined) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle();
    }
  };
  readonly #cleanups: (() => void | Promise<void>)[] = [];
  readonly #beforeClose = new Set<() => Promise<void>>();
  #closing: Promise<void> | undefined;
  // Set synchronously before abort listeners run, which happens before `#closing` is assigned.
  #closed = false;

  constructor(backend: string) {
    this.backend = backend;
    // Every blocking stream and subscription of a backend listens here: hundreds at once
    // are normal use, not the leak Node's default warning at 11 listeners assumes.
    setMaxListeners(0, this.#abort.signal);
  }

  /**
   * True once `close()` was called (already inside abort listeners).
   *
   * @example
   * ```ts
   * if (life.closed) return;
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Aborted when `close()` starts: blocking readers end on it.
   *
   * @example
   * ```ts
   * await once(emitter, "message", { signal: life.signal });
   * ```
   */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Throws `CLOSED` after `close()`.
   *
   * @example
   * ```ts
   * life.assertOpen();
   * ```
   */
  assertOpen(): void {
    if (this.#closed) throw closedError(this.backend);
  }

  /**
   * Runs `fn` if open, and lets `close()` wait for it. Always returns a promise: a
   * synchronous throw from `fn` becomes a rejection.
   *
   * @example
   * ```ts
   * const value = await life.run(async () => map.get(key));
   * ```
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError(this.backend));
    let promise: Promise<T>;
    try {
      promise = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.track(promise);
  }

  /**
   * Lets `close()` wait for work the caller already started (after checking `closed`
   * itself): `run` without the closure, for hot paths that start the work inline.
   *
   * @example
   * ```ts
   * if (life.closed) return Promise.reject(closedError(life.backend));
   * return life.track(pool.query(config).then(undefined, fail));
   * ```
   */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight++;
    promise.then(this.#settled, this.#settled);
    return promise;
  }

  /**
   * Registers a cleanup run once by `close()` (last registered runs first). Returns an unregister function.
   *
   * @example
   * ```ts
   * const unregister = life.onClose(() => clearInterval(timer));
   * ```
   */
  onClose(cleanup: () => void | Promise<void>): () => void {
    this.#cleanups.push(cleanup);
    return () => {
      const i = this.#cleanups.indexOf(cleanup);
      if (i >= 0) this.#cleanups.splice(i, 1);
    };
  }

  /**
   * Idempotent: stops new calls, aborts blockers, waits for in-flight work, runs cleanups.
   *
   * @example
   * ```ts
   * await life.close();
   * ```
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    if (this.#beforeClose.size > 0) {
      // Buffered writes are written while calls are still accepted; then the usual close.
      const hooks = [...this.#beforeClose];
      this.#beforeClose.clear();
      this.#closing = Promise.allSettled(hooks.map((hook) => hook())).then(() => this.#shutdown());
      return this.#closing;
    }
    this.#closing = this.#shutdown();
    return this.#closing;
  }

  /**
   * Registers work `close()` awaits BEFORE the backend stops taking calls (a write buffer
   * flushing what it holds). Returns an unregister function; register only while there is
   * such work, so a plain close stays synchronous in its effect.
   *
   * @example
   * ```ts
   * const unregister = life.beforeClose(() => buffer.flush());
   * ```
   */
  beforeClose(hook: () => Promise<void>): () => void {
    this.#beforeClose.add(hook);
    return () => this.#beforeClose.delete(hook);
  }

  #shutdown(): Promise<void> {
    this.#closed = true;
    return (async () => {
      this.#abort.abort(closedError(this.backend));
      if (this.#inFlight > 0) {
        await new Promise<void>((resolve) => {
          this.#idle = resolve;
        });
      }
      const errors: unknown[] = [];
      for (const cleanup of this.#cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length > 0) throw errors[0];
    })();
  }
}
