import { invalidArgument, notSupported } from "./errors.js";
import type { SendOptionName, SendOptions } from "./transport.js";
import { assertInteger, assertKey, assertPlainObject, checkKeys, describeValue } from "./validation.js";

/**
 * Every per-send option name, in documentation order: what a transport may list in its
 * `sendOptions` to say it honours the option.
 *
 * @example
 * ```ts
 * const honoured = SEND_OPTION_NAMES.filter((name) => name === "delayMs");
 * ```
 */
export const SEND_OPTION_NAMES: readonly SendOptionName[] = Object.freeze(["delayMs", "priority", "key"]);

const ALLOWED = new Set<string>(SEND_OPTION_NAMES);

/**
 * Validates per-send options before anything is written: a plain object of known fields
 * (`delayMs` a non-negative finite number of ms, `priority` an integer, `key` a valid key),
 * else `INVALID_ARGUMENT`; then any option set that `supported` does not list is
 * `NOT_SUPPORTED` (never ignored). Returns `undefined` when no option is set, so the common
 * case costs nothing downstream.
 *
 * @example
 * ```ts
 * checkSendOptions("memory", { delayMs: 500 }, ["delayMs"]); // { delayMs: 500 }
 * checkSendOptions("memory", { priority: 1 }, ["delayMs"]); // throws NOT_SUPPORTED
 * ```
 */
export function checkSendOptions(
  backend: string,
  options: unknown,
  supported: readonly SendOptionName[],
  what = "send options",
): SendOptions | undefined {
  if (options === undefined) return undefined;
  assertPlainObject(backend, options, what);
  checkKeys(backend, options, ALLOWED, what);
  const { delayMs, priority, key } = options as SendOptions;
  if (delayMs !== undefined && (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0)) {
    throw invalidArgument(
      backend,
      `delayMs must be a non-negative finite number of milliseconds, got ${describeValue(delayMs)}`,
    );
  }
  if (priority !== undefined) assertInteger(backend, priority, "priority");
  if (key !== undefined) assertKey(backend, key);
  let set: SendOptions | undefined;
  for (const name of SEND_OPTION_NAMES) {
    const value = (options as SendOptions)[name];
    if (value === undefined) continue;
    if (!supported.includes(name)) {
      throw notSupported(
        backend,
        `send option ${JSON.stringify(name)} (this transport honours: ${supported.join(", ") || "none"})`,
      );
    }
    set ??= {};
    (set as Record<string, unknown>)[name] = value;
  }
  return set === undefined ? undefined : Object.freeze(set);
}
