import { expect } from "vitest";
import { BackendError } from "./errors.js";

/**
 * The code of the BackendError `fn` throws (undefined when it does not throw); checks
 * the message carries the `[backend]` prefix.
 *
 * @example
 * ```ts
 * expect(codeOf(() => checkPutOptions("test", { key: "" }))).toBe("INVALID_ARGUMENT");
 * ```
 */
export function codeOf(fn: () => unknown, backend = "test"): string | undefined {
  try {
    fn();
  } catch (err) {
    if (!BackendError.is(err)) return `not a BackendError: ${String(err)}`;
    expect(err.message.startsWith(`[${backend}] `)).toBe(true);
    return err.code;
  }
  return undefined;
}

/**
 * Like {@link codeOf}, for a promise: the code it rejects with.
 *
 * @example
 * ```ts
 * expect(await rejectionCodeOf(queue.get())).toBe("CLOSED");
 * ```
 */
export async function rejectionCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return BackendError.is(err) ? err.code : `not a BackendError: ${String(err)}`;
  }
  return undefined;
}
