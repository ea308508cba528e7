/** How a call ended: its value, or the error it threw or rejected with. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs `fn`, turning a synchronous throw and a rejection alike into an {@link Outcome}.
 *
 * @example
 * ```ts
 * const o = await outcome(() => cache.set("", 1));
 * ```
 */
export async function outcome(fn: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Why `o` is not a proper INVALID_ARGUMENT rejection (a BackendError with that code and a
 * `[backend] ` message saying something), or `null` when it is.
 *
 * @example
 * ```ts
 * expect(invalidArgumentProblem(await outcome(() => cache.get("")), "sqlite")).toBeNull();
 * ```
 */
export function invalidArgumentProblem(o: Outcome, backend: string): string | null {
  if (o.ok) return "resolved instead of rejecting";
  const e = o.error as { name?: unknown; code?: unknown; message?: unknown };
  if (!(o.error instanceof Error) || e.name !== "BackendError") return `threw a non-BackendError: ${String(o.error)}`;
  if (e.code !== "INVALID_ARGUMENT") return `code ${String(e.code)}: ${String(e.message)}`;
  const text = String(e.message);
  if (!text.startsWith(`[${backend}] `)) return `message does not start with [${backend}]: ${text}`;
  // A useful message says what was wrong: more than a word or two after the prefix.
  if (text.length - backend.length - 3 < 12) return `message too terse: ${text}`;
  return null;
}
