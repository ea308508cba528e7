import {
  assertNonNegativeInteger,
  assertPlainObject,
  defaultCodec,
  encodeMessageBody,
  invalidArgument,
  type Message,
  notSupported,
  type TransportOptions,
  validateSend,
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
  const bodies: string[] = [];
  const keys: (string | null)[] = [];
  const seen = new Set<string>();
  validateSend(BACKEND, channel, messages, (message, i) => {
    const text = encodeMessageBody(BACKEND, message, i);
    const { idempotencyKey } = message;
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
