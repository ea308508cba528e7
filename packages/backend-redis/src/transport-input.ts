import {
  assertKey,
  assertName,
  assertNonNegativeInteger,
  assertPlainObject,
  BackendError,
  defaultCodec,
  invalidArgument,
  type Message,
  type MessageHandler,
  type SubscribeOptions,
  type TransportOptions,
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

/**
 * Validates `subscribe` arguments.
 *
 * @example
 * ```ts
 * checkSubscribe("orders", handler, { group: "billing" });
 * ```
 */
export function checkSubscribe(channel: string, handler: MessageHandler, options: SubscribeOptions | undefined): void {
  assertName(BACKEND, channel, "channel");
  if (typeof handler !== "function") throw invalidArgument(BACKEND, "handler must be a function");
  if (options === undefined) return;
  assertPlainObject(BACKEND, options, "subscribe options");
  if (options.group !== undefined) assertName(BACKEND, options.group, "group");
  if (options.fromStart !== undefined && typeof options.fromStart !== "boolean") {
    throw invalidArgument(BACKEND, "fromStart must be a boolean");
  }
}

function checkMessage(message: unknown, i: number): asserts message is Message {
  assertPlainObject(BACKEND, message, `messages[${i}]`);
  const m = message as unknown as Message;
  if (typeof m.id !== "string" || m.id.length === 0)
    throw invalidArgument(BACKEND, `messages[${i}].id must be a string`);
  if (typeof m.publishedAt !== "number" || !Number.isFinite(m.publishedAt)) {
    throw invalidArgument(BACKEND, `messages[${i}].publishedAt must be a number (ms since the epoch)`);
  }
  assertPlainObject(BACKEND, m.headers, `messages[${i}].headers`);
  for (const value of Object.values(m.headers)) {
    if (typeof value !== "string") throw invalidArgument(BACKEND, `messages[${i}].headers values must be strings`);
  }
  if (m.idempotencyKey !== undefined) assertKey(BACKEND, m.idempotencyKey);
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
  assertName(BACKEND, channel, "channel");
  if (!Array.isArray(messages)) throw invalidArgument(BACKEND, "messages must be an array");
  const keys = channelKeys(shared, channel);
  const scriptKeys = [keys.stream];
  const args: (string | number)[] = [mode, options.dedupWindowMs, keys.pubsub];
  messages.forEach((message, i) => {
    checkMessage(message, i);
    const { id, payload, headers, publishedAt, idempotencyKey } = message;
    const wire: Message = { id, payload, headers: { ...headers }, publishedAt };
    if (idempotencyKey !== undefined) wire.idempotencyKey = idempotencyKey;
    let text: string;
    try {
      text = defaultCodec.encode(wire);
    } catch (cause) {
      throw new BackendError("INVALID_ARGUMENT", `[${BACKEND}] messages[${i}] cannot be sent: ${String(cause)}`, {
        backend: BACKEND,
        cause,
      });
    }
    scriptKeys.push(idempotencyKey === undefined ? keys.stream : keys.dedup(idempotencyKey));
    args.push(idempotencyKey === undefined ? "0" : "1", text);
  });
  if (messages.length === 0) return;
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
