import { BackendError, type Codec, defaultCodec, invalidArgument } from "@core/protocols";
import { BACKEND } from "./errors.js";

/**
 * Validates a codec option (default: the tagged-JSON `defaultCodec`).
 *
 * @example
 * ```ts
 * const codec = checkCodec(options.codec);
 * ```
 */
export function checkCodec(codec: unknown): Codec {
  if (codec === undefined) return defaultCodec;
  const c = codec as Codec;
  if (typeof c !== "object" || c === null || typeof c.encode !== "function" || typeof c.decode !== "function") {
    throw invalidArgument(BACKEND, "codec must be an object with encode and decode functions");
  }
  return c;
}

/**
 * Encodes a value, turning any codec failure into `INVALID_ARGUMENT` from this backend.
 *
 * @example
 * ```ts
 * const text = encodeValue(defaultCodec, { a: 1 });
 * ```
 */
export function encodeValue(codec: Codec, value: unknown, index?: number): string {
  let text: unknown;
  try {
    text = codec.encode(value);
  } catch (cause) {
    const where = index === undefined ? "value" : `value at index ${index}`;
    const reason = cause instanceof Error ? cause.message.replace(/^\[[^\]]*\] /, "") : String(cause);
    throw new BackendError("INVALID_ARGUMENT", `${where} cannot be stored: ${reason}`, { backend: BACKEND, cause });
  }
  if (typeof text !== "string") throw invalidArgument(BACKEND, `codec ${codec.name} did not return a string`);
  return text;
}
