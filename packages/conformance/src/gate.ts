import { describe } from "vitest";

/**
 * The title under which the tests of an absent capability are reported as skipped.
 *
 * @example
 * ```ts
 * absentTitle("transport"); // "transport: not supported by this backend"
 * ```
 */
export function absentTitle(capability: string): string {
  return `${capability}: not supported by this backend`;
}

/**
 * Registers the tests of an optional capability: as they are when the backend declares
 * it, or inside a skipped `describe` titled with the reason when it does not — so an
 * absent capability shows up as skipped tests, never as passing tests that ran nothing.
 * Pair it with one real test asserting the capability is absent as declared.
 *
 * @example
 * ```ts
 * describeCapability(caps.crossProcess, "crossProcess", () => {
 *   test("a second client sees flushed writes", async () => { … });
 * });
 * ```
 */
export function describeCapability(present: boolean, capability: string, register: () => void): void {
  if (present) register();
  else describe.skip(absentTitle(capability), register);
}
