/** Holders of the one ref'd timer that keeps the process alive while a subscription waits. */
let holders = 0;
let handle: NodeJS.Timeout | undefined;

/**
 * Keeps the process alive while an active subscription or blocking stream waits: a worker
 * whose only work is waiting must not exit (PROTOCOLS.md, "Keeping the process alive").
 * One ref'd timer is shared by every holder; the last release clears it. Returns the
 * release function (idempotent).
 *
 * @example
 * ```ts
 * const release = holdProcess();
 * try { await nextAppend; } finally { release(); }
 * ```
 */
export function holdProcess(): () => void {
  holders += 1;
  // The longest delay a timer takes; it never fires in practice, it only holds a ref.
  handle ??= setInterval(() => {}, 2 ** 31 - 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0 && handle !== undefined) {
      clearInterval(handle);
      handle = undefined;
    }
  };
}

/**
 * Waits `ms`, or until `signal` aborts (resolves, never rejects). The timer is ref'd on
 * purpose: a subscription waiting to redeliver is active work and keeps the process up;
 * an abort clears it at once.
 *
 * @example
 * ```ts
 * await sleepUnlessAborted(100, stopped.signal);
 * ```
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
