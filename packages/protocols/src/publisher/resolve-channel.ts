import { invalidArgument, notSupported } from "../errors.js";
import { checkSendOptions, SEND_OPTION_NAMES } from "../send-options.js";
import type { SendOptions, Transport } from "../transport.js";
import { assertNonNegativeInteger, assertPlainObject, checkKeys, describeValue } from "../validation.js";
import { type ResolvedBackoff, resolveBackoff } from "./backoff.js";
import type { ChannelConfig } from "./types.js";

const NAME = "publisher";

const CHANNEL_FIELDS = new Set([
  "transport",
  "retries",
  "backoff",
  "timeoutMs",
  "onSuccess",
  "onFailure",
  "onFatal",
  ...SEND_OPTION_NAMES,
]);

/** A channel's configuration after validation. */
export interface ResolvedChannel {
  readonly transports: readonly string[];
  readonly retries: number;
  readonly backoff: ResolvedBackoff;
  /** Per-attempt limit (ms), or undefined for none. */
  readonly timeoutMs: number | undefined;
  /** The channel's send options, or undefined when it sets none. */
  readonly send: SendOptions | undefined;
  readonly config: ChannelConfig;
}

/**
 * Checks a per-attempt `timeoutMs` (a positive finite number of ms, or undefined).
 *
 * @example
 * ```ts
 * checkTimeout(5000, "timeoutMs"); // 5000
 * ```
 */
export function checkTimeout(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(
      NAME,
      `${what} must be a positive finite number of milliseconds, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Throws `NOT_SUPPORTED` naming the first transport of `keys` that does not honour a send
 * option set in `send` (a transport lists what it honours in `sendOptions`), so nothing is
 * sent anywhere when one transport would have to ignore an option.
 *
 * @example
 * ```ts
 * assertTransportsHonour(["main"], transports, { delayMs: 100 }, "orders");
 * ```
 */
export function assertTransportsHonour(
  keys: readonly string[],
  transports: ReadonlyMap<string, Transport>,
  send: SendOptions,
  channel: string,
): void {
  for (const key of keys) {
    const transport = transports.get(key) as Transport;
    const honoured = transport.sendOptions ?? [];
    for (const option of SEND_OPTION_NAMES) {
      if (send[option] !== undefined && !honoured.includes(option)) {
        throw notSupported(
          NAME,
          `send option ${JSON.stringify(option)} on transport ${JSON.stringify(key)} (${transport.name}) of channel ${JSON.stringify(channel)}; it honours: ${honoured.join(", ") || "none"}`,
        );
      }
    }
  }
}

/**
 * Validates one channel of `createPublisher` against the known transports: its fields
 * (unknown ones are `INVALID_ARGUMENT`), transports (known, not repeated), retries,
 * backoff, timeout, hooks and send options (each transport must honour them).
 *
 * @example
 * ```ts
 * const resolved = resolveChannel("orders", { transport: "main", delayMs: 100 }, transports);
 * ```
 */
export function resolveChannel(
  channel: string,
  config: ChannelConfig,
  transports: ReadonlyMap<string, Transport>,
): ResolvedChannel {
  const where = `channel ${JSON.stringify(channel)}`;
  assertPlainObject(NAME, config, where);
  checkKeys(NAME, config as unknown as Record<string, unknown>, CHANNEL_FIELDS, where);
  const names = typeof config.transport === "string" ? [config.transport] : config.transport;
  if (!Array.isArray(names) || names.length === 0) {
    throw invalidArgument(NAME, `${where}: transport must be a transport key or a non-empty array of them`);
  }
  for (const name of names) {
    if (typeof name !== "string" || !transports.has(name)) {
      throw invalidArgument(
        NAME,
        `${where}: unknown transport ${describeValue(name)} (known: ${[...transports.keys()].join(", ")})`,
      );
    }
  }
  if (new Set(names).size !== names.length) {
    throw invalidArgument(NAME, `${where}: a transport is listed twice`);
  }
  const retries = config.retries ?? 3;
  assertNonNegativeInteger(NAME, retries, "retries");
  for (const hook of ["onSuccess", "onFailure", "onFatal"] as const) {
    if (config[hook] !== undefined && typeof config[hook] !== "function") {
      throw invalidArgument(NAME, `${where}: ${hook} must be a function`);
    }
  }
  const { delayMs, priority, key } = config;
  const send = checkSendOptions(NAME, { delayMs, priority, key }, SEND_OPTION_NAMES, `${where} send options`);
  if (send !== undefined) assertTransportsHonour(names, transports, send, channel);
  return Object.freeze({
    transports: Object.freeze([...names]),
    retries,
    backoff: resolveBackoff(config.backoff),
    timeoutMs: checkTimeout(config.timeoutMs, `${where}: timeoutMs`),
    send,
    config,
  });
}
