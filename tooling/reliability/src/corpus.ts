import { cacheCases } from "./corpus-cache.js";
import type { BadCase } from "./corpus-inputs.js";
import { nameCases } from "./corpus-names.js";
import { queueCases } from "./corpus-queue.js";
import { recordCases } from "./corpus-records.js";
import { transportCases } from "./corpus-transport.js";

export { type BadCase, message, type Stores } from "./corpus-inputs.js";

/** Protocol groups of the corpus. */
export type Group = "names" | "cache" | "queue" | "records" | "transport";

/**
 * The whole bad-input corpus, by protocol.
 *
 * @example
 * ```ts
 * for (const c of corpus().cache) await expectInvalid(() => c.call(stores));
 * ```
 */
export function corpus(): Record<Group, BadCase[]> {
  return {
    names: nameCases(),
    cache: cacheCases(),
    queue: queueCases(),
    records: recordCases(),
    transport: transportCases(),
  };
}
