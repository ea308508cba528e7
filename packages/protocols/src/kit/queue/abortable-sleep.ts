/**
 * Waits `ms`, or less when `signal` aborts (it never rejects). With `keepAlive` the timer
 * holds the process open while it runs — a blocking reader that is waiting keeps the
 * process alive until it is aborted or closed; without it the wait never does.
 *
 * @example
 * ```ts
 * await abortableSleep(200, stop, { keepAlive: true }); // a blocking stream's poll
 * ```
 */
export function abortableSleep(ms: number, signal: AbortSignal, options?: { keepAlive?: boolean }): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (options?.keepAlive !== true) timer.unref();
    signal.addEventListener("abort", done, { once: true });
  });
}
