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
  notSupported,
  type SubscribeOptions,
  type TransportOptions,
} from "@core/protocols";
import { BACKEND } from "./errors.js";
import { encodeKey } from "./keys.js";

/** Validated transport options with defaults. */
export interface ResolvedTransportOptions {
  dedupWindowMs: number;
  redeliveryDelayMs: number;
}

/**
 * Validates `backend.transport()` options (durable only: `mode: "ephemeral"` is
 * `NOT_SUPPORTED` — use the durable outbox, or the redis backend's pub/sub).
 *
 * @example
 * ```ts
 * const o = checkTransportOptions({ redeliveryDelayMs: 50 });
 * ```
 */
export function checkTransportOptions(input: TransportOptions | undefined): ResolvedTransportOptions {
  if (input !== undefined) assertPlainObject(BACKEND, input, "transport options");
  const mode = input?.mode ?? "durable";
  if (mode === "ephemeral")
    throw notSupported(BACKEND, 'transport mode "ephemeral" (the postgres transport is durable)');
  if (mode !== "durable")
    throw invalidArgument(BACKEND, `mode must be "durable" or "ephemeral", got ${JSON.stringify(mode)}`);
  const resolved: ResolvedTransportOptions = {
    dedupWindowMs: (input?.dedupWindowMs ?? 86_400_000) as number,
    redeliveryDelayMs: (input?.redeliveryDelayMs ?? 100) as number,
  };
  assertNonNegativeInteger(BACKEND, resolved.dedupWindowMs, "dedupWindowMs");
  if (resolved.dedupWindowMs === 0) throw invalidArgument(BACKEND, "dedupWindowMs must be positive");
  assertNonNegativeInteger(BACKEND, resolved.redeliveryDelayMs, "redeliveryDelayMs");
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
    throw invalidArgument(BACKEND, `messages[${i}].id must be a non-empty string`);
  if (typeof m.publishedAt !== "number" || !Number.isFinite(m.publishedAt)) {
    throw invalidArgument(BACKEND, `messages[${i}].publishedAt must be a number (ms since the epoch)`);
  }
  assertPlainObject(BACKEND, m.headers, `messages[${i}].headers`);
  for (const value of Object.values(m.headers)) {
    if (typeof value !== "string") throw invalidArgument(BACKEND, `messages[${i}].headers values must be strings`);
  }
  if (m.idempotencyKey !== undefined) assertKey(BACKEND, m.idempotencyKey);
}

/**
 * Validates and encodes a batch before anything is written. Returns the encoded bodies
 * and their idempotency keys (`null` without one); a key repeated inside the batch keeps
 * only its first message, as a later send would.
 *
 * @example
 * ```ts
 * const { bodies, keys } = encodeMessages("orders", messages);
 * ```
 */
export function encodeMessages(
  channel: string,
  messages: readonly Message[],
): { bodies: string[]; keys: (string | null)[] } {
  assertName(BACKEND, channel, "channel");
  if (!Array.isArray(messages)) throw invalidArgument(BACKEND, "messages must be an array");
  const bodies: string[] = [];
  const keys: (string | null)[] = [];
  const seen = new Set<string>();
  messages.forEach((message, i) => {
    checkMessage(message, i);
    const { id, payload, headers, publishedAt, idempotencyKey } = message;
    const wire: Message = { id, payload, headers: { ...headers }, publishedAt };
    if (idempotencyKey !== undefined) wire.idempotencyKey = idempotencyKey;
    let text: string;
    try {
      text = defaultCodec.encode(wire);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message.replace(/^\[[^\]]*\] /, "") : String(cause);
      throw new BackendError("INVALID_ARGUMENT", `[${BACKEND}] messages[${i}] cannot be sent: ${reason}`, {
        backend: BACKEND,
        cause,
      });
    }
    if (idempotencyKey !== undefined) {
      if (seen.has(idempotencyKey)) return;
      seen.add(idempotencyKey);
    }
    bodies.push(text);
    keys.push(idempotencyKey === undefined ? null : encodeKey(idempotencyKey));
  });
  return { bodies, keys };
}

/**
 * Decodes a stored message.
 *
 * @example
 * ```ts
 * const message = decodeMessage(row.body);
 * ```
 */
export function decodeMessage(text: string): Message {
  return defaultCodec.decode(text) as Message;
}
