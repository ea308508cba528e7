import {
  assertNonNegativeInteger,
  assertPlainObject,
  defaultCodec,
  encodeMessageBody,
  invalidArgument,
  type Message,
  type TransportOptions,
  validateSend,
} from "@core/protocols";
import { BACKEND } from "./errors.js";
import { namespaceKey } from "./keys.js";
import { scripts } from "./scripts.js";
import type { RedisShared } from "./shared.js";

/** Options of `backend.transport()` on Redis. */
export interface RedisTransportOptions extends TransportOptions {
  /**
   * Durable mode: a message held this long (ms) by a group consumer that stopped without
   * unsubscribing (a crashed process) is reclaimed with `XAUTOCLAIM` by another consumer
   * of the group. Longer than your slowest handler. Default 30 000.
   */
  claimIdleMs?: number;
}

/** Validated transport options with defaults. */
export interface ResolvedTransportOptions {
  mode: "durable" | "ephemeral";
  dedupWindowMs: number;
  redeliveryDelayMs: number;
  claimIdleMs: number;
}

/**
 * Validates `backend.transport()` options.
 *
 * @example
 * ```ts
 * const o = checkTransportOptions({ mode: "ephemeral" });
 * ```
 */
export function checkTransportOptions(input: RedisTransportOptions | undefined): ResolvedTransportOptions {
  if (input !== undefined) assertPlainObject(BACKEND, input, "transport options");
  const options = input as RedisTransportOptions | undefined;
  const mode = options?.mode ?? "durable";
  if (mode !== "durable" && mode !== "ephemeral") {
    throw invalidArgument(BACKEND, `mode must be "durable" or "ephemeral", got ${JSON.stringify(mode)}`);
  }
  const resolved: ResolvedTransportOptions = {
    mode,
    dedupWindowMs: options?.dedupWindowMs ?? 86_400_000,
    redeliveryDelayMs: options?.redeliveryDelayMs ?? 100,
    claimIdleMs: options?.claimIdleMs ?? 30_000,
  };
  assertNonNegativeInteger(BACKEND, resolved.dedupWindowMs, "dedupWindowMs");
  if (resolved.dedupWindowMs === 0) throw invalidArgument(BACKEND, "dedupWindowMs must be positive");
  assertNonNegativeInteger(BACKEND, resolved.redeliveryDelayMs, "redeliveryDelayMs");
  assertNonNegativeInteger(BACKEND, resolved.claimIdleMs, "claimIdleMs");
  return resolved;
}

/** Keys of one channel: `{prefix}:{t:<channel>}:s` (stream), `:p` (pub/sub), `:d:<key>` (dedup). */
export function channelKeys(shared: RedisShared, channel: string) {
  const base = namespaceKey(shared.prefix, "t", channel);
  return { stream: `${base}:s`, pubsub: `${base}:p`, dedup: (key: string) => `${base}:d:${key}` };
}

/**
 * Validates and sends messages in one script call: dedup by idempotency key, then `XADD`
 * (durable) or `PUBLISH` (ephemeral).
 *
 * @example
 * ```ts
 * await sendMessages(shared, options, "orders", messages, "stream");
 * ```
 */
export async function sendMessages(
  shared: RedisShared,
  options: ResolvedTransportOptions,
  channel: string,
  messages: readonly Message[],
  mode: "stream" | "publish",
): Promise<void> {
  // Everything is validated and encoded before any key is built or anything is sent.
  const prepared = validateSend(BACKEND, channel, messages, (message, i) => ({
    text: encodeMessageBody(BACKEND, message, i),
    key: message.idempotencyKey,
  }));
  if (prepared.length === 0) return;
  const keys = channelKeys(shared, channel);
  const scriptKeys = [keys.stream];
  const args: (string | number)[] = [mode, options.dedupWindowMs, keys.pubsub];
  for (const { text, key } of prepared) {
    scriptKeys.push(key === undefined ? keys.stream : keys.dedup(key));
    args.push(key === undefined ? "0" : "1", text);
  }
  await scripts().transportSend.run(shared.client, scriptKeys, args);
}

/**
 * Decodes a message as sent by {@link sendMessages}.
 *
 * @example
 * ```ts
 * const message = decodeMessage(text);
 * ```
 */
export function decodeMessage(text: string): Message {
  return defaultCodec.decode(text) as Message;
}
