import { sleepUnlessAborted } from "./process-hold.js";

/** Longest single sleep while a delayed message waits, so a claim can be renewed in between (ms). */
const RENEW_EVERY_MS = 1000;

/**
 * Waits until `notBefore` (ms since the epoch; a past time returns at once) unless
 * `signal` aborts first; resolves true when the time came, false when stopped. A long wait
 * sleeps in steps and calls `renew` between them, so a group member keeps its claim on
 * the delayed message (a failing renew is ignored: at worst another member takes the
 * message, which also waits). Holds the process alive like any delivery wait.
 *
 * @example
 * ```ts
 * if (!(await waitForNotBefore(notBefore, signal, () => source.renew?.(stored)))) return false;
 * ```
 */
export async function waitForNotBefore(
  notBefore: number,
  signal: AbortSignal,
  renew?: () => unknown,
): Promise<boolean> {
  for (let left = notBefore - Date.now(); left > 0; left = notBefore - Date.now()) {
    if (signal.aborted) return false;
    await sleepUnlessAborted(Math.min(left, RENEW_EVERY_MS), signal);
    if (signal.aborted) return false;
    if (notBefore - Date.now() > 0) {
      try {
        await renew?.();
      } catch {
        // The claim lapses at worst: another member gets the message (at-least-once).
      }
    }
  }
  return !signal.aborted;
}
