import { defaultCodec } from "./codec.js";
import { BackendError, invalidArgument } from "./errors.js";
import type { Message, MessageHandler, SubscribeOptions, TransportOptions } from "./transport.js";
import { assertKey, assertName, assertPlainObject, describeValue } from "./validation.js";

const DAY_MS = 24 * 60 * 60 * 1000;

function nonNegativeMs(backend: string, value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(
      backend,
      `${what} must be a non-negative finite number of milliseconds, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Transport options with their defaults: `redeliveryDelayMs` is undefined in ephemeral mode. */
export interface ResolvedTransportOptions {
  /** Delay before a failed delivery is retried; `undefined` means at-most-once (ephemeral). */
  redeliveryDelayMs: number | undefined;
  dedupWindowMs: number;
}

/**
 * Validates `backend.transport(options)` for an in-process log transport: `mode`
 * `"durable"` (default) or `"ephemeral"`, `dedupWindowMs` (default 24 h) and
 * `redeliveryDelayMs` (default 100) non-negative finite milliseconds.
 *
 * @example
 * ```ts
 * const { redeliveryDelayMs, dedupWindowMs } = resolveTransportOptions("memory", { mode: "ephemeral" });
 * const delivery = redeliveryDelayMs === undefined ? "at-most-once" : "at-least-once";
 * ```
 */
export function resolveTransportOptions(backend: string, options: TransportOptions): ResolvedTransportOptions {
  assertPlainObject(backend, options, "transport options");
  const { mode = "durable" } = options;
  if (mode !== "durable" && mode !== "ephemeral") {
    throw invalidArgument(backend, `mode must be "durable" or "ephemeral", got ${describeValue(mode)}`);
  }
  const dedupWindowMs = nonNegativeMs(backend, options.dedupWindowMs, "dedupWindowMs", DAY_MS);
  const redeliveryDelayMs = nonNegativeMs(backend, options.redeliveryDelayMs, "redeliveryDelayMs", 100);
  return { redeliveryDelayMs: mode === "durable" ? redeliveryDelayMs : undefined, dedupWindowMs };
}

/**
 * Validates `messages[index]` of a send: an object with a non-empty string `id`, a finite
 * `publishedAt`, string-valued `headers` and an optional valid `idempotencyKey`. Returns a
 * copy holding only the message's own fields (headers copied too), so later changes by
 * the caller do not reach what is stored.
 *
 * @example
 * ```ts
 * const message = validateMessage("file", input, 0);
 * ```
 */
export function validateMessage(backend: string, message: unknown, index: number): Message {
  const where = `messages[${index}]`;
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    throw invalidArgument(backend, `${where} must be a message object, got ${describeValue(message)}`);
  }
  const { id, payload, headers, publishedAt, idempotencyKey } = message as Partial<Message>;
  if (typeof id !== "string" || id.length === 0) {
    throw invalidArgument(backend, `${where}.id must be a non-empty string`);
  }
  if (typeof publishedAt !== "number" || !Number.isFinite(publishedAt)) {
    throw invalidArgument(backend, `${where}.publishedAt must be a finite number of milliseconds`);
  }
  assertPlainObject(backend, headers, `${where}.headers`);
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      throw invalidArgument(
        backend,
        `${where}.headers[${JSON.stringify(key)}] must be a string, got ${describeValue(value)}`,
      );
    }
  }
  if (idempotencyKey !== undefined) assertKey(backend, idempotencyKey);
  const copy: Message = { id, payload, headers: { ...(headers as Record<string, string>) }, publishedAt };
  if (idempotencyKey !== undefined) copy.idempotencyKey = idempotencyKey;
  return copy;
}

/**
 * Validates the arguments of `transport.send` before anything is written: the channel
 * name, that `messages` is an array, and each message ({@link validateMessage}). Each
 * validated message goes through `prepare` (say, to encode it) before the next one is
 * checked, so the first bad message, by index, is the one reported.
 *
 * @example
 * ```ts
 * const texts = validateSend("file", channel, messages, (m, i) => encodeMessageBody("file", m, i));
 * ```
 */
export function validateSend<T = Message>(
  backend: string,
  channel: unknown,
  messages: unknown,
  prepare?: (message: Message, index: number) => T,
): T[] {
  assertName(backend, channel, "channel");
  if (!Array.isArray(messages)) {
    throw invalidArgument(backend, `messages must be an array, got ${describeValue(messages)}`);
  }
  return messages.map((input, i) => {
    const message = validateMessage(backend, input, i);
    return prepare === undefined ? (message as T) : prepare(message, i);
  });
}

/**
 * Encodes `messages[index]` — the whole message, or just its payload — with the
 * {@link defaultCodec}; a value it cannot encode is INVALID_ARGUMENT naming the message.
 *
 * @example
 * ```ts
 * const text = encodeMessageBody("postgres", message, 0);
 * const payloadText = encodeMessageBody("memory", message.payload, 0);
 * ```
 */
export function encodeMessageBody(backend: string, body: unknown, index: number): string {
  try {
    return defaultCodec.encode(body);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.replace(/^\[[^\]]*\] /, "") : String(cause);
    throw new BackendError("INVALID_ARGUMENT", `messages[${index}].payload cannot be encoded: ${reason}`, {
      backend,
      cause,
    });
  }
}

/** Validated `subscribe` options with their defaults. */
export interface CheckedSubscribe {
  group: string | undefined;
  fromStart: boolean;
}

/**
 * Validates the arguments of `transport.subscribe`: the channel name, the handler, and
 * the options (`group` a valid name, `fromStart` a boolean, default false).
 *
 * @example
 * ```ts
 * const { group, fromStart } = validateSubscribe("sqlite", "orders", handler, { group: "billing" });
 * ```
 */
export function validateSubscribe(
  backend: string,
  channel: unknown,
  handler: MessageHandler,
  options: SubscribeOptions | undefined,
): CheckedSubscribe {
  assertName(backend, channel, "channel");
  if (typeof handler !== "function") throw invalidArgument(backend, "handler must be a function");
  if (options === undefined) return { group: undefined, fromStart: false };
  assertPlainObject(backend, options, "subscribe options");
  const { group, fromStart = false } = options as SubscribeOptions;
  if (group !== undefined) assertName(backend, group, "group");
  if (typeof fromStart !== "boolean") throw invalidArgument(backend, "fromStart must be a boolean");
  return { group, fromStart };
}
