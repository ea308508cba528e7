import { defaultCodec } from "../../codec.js";
import { BackendError } from "../../errors.js";
import type { Message } from "../../transport.js";
import type { StoredMessage } from "./transport-driver.js";

/**
 * Decodes a stored message into a fresh `Message` (headers copied, so a handler that
 * changes its message changes nobody else's). Text the codec cannot read is `CORRUPTION`.
 *
 * @example
 * ```ts
 * const message = decodeStoredMessage("sqlite", { seq: 3, text: '{"n":1}', fields });
 * ```
 */
export function decodeStoredMessage(backend: string, stored: StoredMessage): Message {
  let decoded: unknown;
  try {
    decoded = defaultCodec.decode(stored.text);
  } catch (cause) {
    throw new BackendError("CORRUPTION", `stored message ${stored.seq} cannot be decoded`, { backend, cause });
  }
  const fields = stored.fields ?? (decoded as Message | null);
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
  return message;
}
