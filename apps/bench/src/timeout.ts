/**
 * Rejects when `promise` has not settled after `ms` (the timer is unref'd), so one hung
 * backend call becomes a "not measured" entry instead of a hung run.
 *
 * @example
 * ```ts
 * await withTimeout(compare(cases, options), 30_000, "sqlite cache get");
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
