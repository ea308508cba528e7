import { invalidArgument } from "../errors.js";
import type { PublisherLogger } from "./types.js";

const NAME = "publisher";
const LEVELS = ["debug", "info", "warn", "error"] as const;

/** Log level of a publisher event. */
export type LogLevel = (typeof LEVELS)[number];

/** Where the publisher reports events: the user's logger, or nothing. */
export type PublisherLog = (level: LogLevel, fields: Record<string, unknown>, message: string) => void;

/**
 * Checks the `logger` option (an object — `console`, pino, … — with `debug`, `info`,
 * `warn` and `error` functions; anything else is `INVALID_ARGUMENT`) and returns the
 * publisher's log function, or `undefined` without a logger so the hot path skips
 * building events. A logger that throws never changes a publish's outcome.
 *
 * @example
 * ```ts
 * const log = publisherLog(console);
 * log?.("warn", { channel: "orders" }, "publish attempt failed; retrying");
 * ```
 */
export function publisherLog(logger: PublisherLogger | undefined): PublisherLog | undefined {
  if (logger === undefined) return undefined;
  if (logger === null || typeof logger !== "object") {
    throw invalidArgument(NAME, "logger must be an object with debug, info, warn and error functions");
  }
  for (const level of LEVELS) {
    if (typeof logger[level] !== "function") {
      throw invalidArgument(NAME, `logger.${level} must be a function (the shape of console or pino)`);
    }
  }
  return (level, fields, message) => {
    try {
      logger[level](fields, `[publisher] ${message}`);
    } catch {
      // Logging is a side channel: a broken logger must not fail or retry a publish.
    }
  };
}

/**
 * Runs an observer hook; a throwing hook must not change a publish's outcome (the message
 * went out or did not), so its error goes to the logger (`warn`) or, without one, becomes
 * a process warning rather than being swallowed.
 *
 * @example
 * ```ts
 * await observeHook(() => onSuccess(ctx), "onSuccess", log, { channel: "orders" });
 * ```
 */
export async function observeHook(
  hook: (() => unknown) | undefined,
  what: string,
  log: PublisherLog | undefined,
  fields: Record<string, unknown>,
): Promise<void> {
  if (hook === undefined) return;
  try {
    await hook();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (log === undefined) process.emitWarning(`[publisher] ${what} threw: ${reason}`);
    else log("warn", { ...fields, error: err }, `${what} threw: ${reason}`);
  }
}
