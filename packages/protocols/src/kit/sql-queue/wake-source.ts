/**
 * One armed interest in a key (`q:<topic>`, `t:<channel>`): armed before the first read,
 * so a write between a read and the wait is never missed.
 *
 * @example
 * ```ts
 * const waiter = wake.arm("q:events");
 * await waiter.ready?.();
 * if ((await read()).length === 0) await waiter.wait(500, signal);
 * waiter.dispose();
 * ```
 */
export interface Waiter {
  /** Resolves once the interest is live (a LISTEN issued, a first mark taken). */
  ready?(): Promise<void>;
  /**
   * Resolves when the key may have been written since the last wait (or `ready`), after
   * `timeoutMs`, or when `signal` aborts. Never rejects. An active wait keeps the process alive.
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void>;
  dispose(): void;
}

/**
 * Where the shared SQL queue and outbox learn that "a write happened": a backend's
 * in-process wake-ups plus whatever reaches other processes (sqlite's `data_version`
 * polling, postgres LISTEN/NOTIFY).
 *
 * @example
 * ```ts
 * const wake: WakeSource = { arm: (key) => listener.arm(key) };
 * ```
 */
export interface WakeSource {
  /** A write of this process to `key` committed (a store whose SQL does not notify by itself). */
  notify?(key: string): void;
  arm(key: string): Waiter;
}
