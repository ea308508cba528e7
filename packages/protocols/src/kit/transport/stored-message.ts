import { defaultCodec } from "../../codec.js";
import { BackendError } from "../../errors.js";
import type { Message } from "../../transport.js";
import type { StoredMessage } from "./transport-driver.js";

/** A decoded delivery: the message and the time it may be delivered from (0: at once). */
export interface DecodedDelivery {
  readonly message: Message;
  readonly notBefore: number;
}

/**
 * Decodes a stored message into a fresh `Message` (headers copied, so a handler that
 * changes its message changes nobody else's) and its not-before time (from `delayMs`:
 * inside the text for `encodes: "message"`, `stored.notBefore` otherwise; 0 when none).
 * Text the codec cannot read is `CORRUPTION`.
 *
 * @example
 * ```ts
 * const { message, notBefore } = decodeDelivery("sqlite", { seq: 3, text: '{"n":1}', fields });
 * ```
 */
export function decodeDelivery(backend: string, stored: StoredMessage): DecodedDelivery {
  let decoded: unknown;
  try {
    decoded = defaultCodec.decode(stored.text);
  } catch (cause) {
    throw new BackendError("CORRUPTION", `stored message ${stored.seq} cannot be decoded`, { backend, cause });
  }
  const fields = stored.fields ?? (decoded as (Message & { notBefore?: number }) | null);
  if (fields === null || typeof fields !== "object" || typeof fields.id !== "string") {
    throw new BackendError("CORRUPTION", `stored message ${stored.seq} is not a message`, { backend });
  }
  const message: Message = {
    id: fields.id,
    payload: stored.fields === undefined ? (decoded as Message).payload : decoded,
    headers: { ...fields.headers },
    publishedAt: fields.publishedAt,
  };
  if (fields.idempotencyKey !== undefined) message.idempotencyKey = fields.idempotencyKey;
  const notBefore = stored.fields === undefined ? (decoded as { notBefore?: unknown }).notBefore : stored.notBefore;
  return { message, notBefore: typeof notBefore === "number" ? notBefore : 0 };
}

/**
 * Decodes a stored message into a fresh `Message` ({@link decodeDelivery} without the
 * not-before time). Text the codec cannot read is `CORRUPTION`.
 *
 * @example
 * ```ts
 * const message = decodeStoredMessage("sqlite", { seq: 3, text: '{"n":1}', fields });
 * ```
 */
export function decodeStoredMessage(backend: string, stored: StoredMessage): Message {
  return decodeDelivery(backend, stored).message;
}
