let counter = 0;
const run = Math.random().toString(36).slice(2, 8);

/**
 * A namespace name no other test uses, so every test starts empty and suites can run in
 * parallel against one server.
 *
 * @example
 * ```ts
 * const cache = backend.cache(freshName("cache"));
 * ```
 */
export function freshName(prefix: string): string {
  counter += 1;
  return `${prefix}-${run}-${process.pid}-${counter}`;
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * await sleep(20);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns true or `timeoutMs` passes (then throws), for effects
 * that are promised "within a bounded delay" (expiry, redelivery, wake-ups).
 *
 * @example
 * ```ts
 * await waitFor(() => received.length === 3, 2000);
 * ```
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
