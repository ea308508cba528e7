import { BackendError, type Codec, describeValue, invalidArgument } from "@core/protocols";
import { BACKEND } from "./errors.js";

function rethrow(err: unknown, code: "INVALID_ARGUMENT" | "CORRUPTION", what: string): never {
  const detail = err instanceof Error ? err.message.replace(/^\[[^\]]*\] /, "") : String(err);
  throw new BackendError(BackendError.is(err) ? err.code : code, `${what}: ${detail}`, {
    backend: BACKEND,
    cause: err,
  });
}

/**
 * Encodes a value; any codec failure becomes a `[file]` INVALID_ARGUMENT.
 *
 * @example
 * ```ts
 * const text = encodeWith(defaultCodec, { a: 1 });
 * ```
 */
export function encodeWith(codec: Codec, value: unknown, where = "value"): string {
  let text: unknown;
  try {
    text = codec.encode(value);
  } catch (err) {
    rethrow(err, "INVALID_ARGUMENT", `${where} cannot be stored`);
  }
  if (typeof text !== "string") {
    throw invalidArgument(BACKEND, `codec ${codec.name} returned ${describeValue(typeof text)}, not a string`);
  }
  return text;
}

/**
 * Decodes stored text; any codec failure becomes a `[file]` CORRUPTION.
 *
 * @example
 * ```ts
 * const value = decodeWith(defaultCodec, '{"a":1}');
 * ```
 */
export function decodeWith(codec: Codec, text: string): unknown {
  try {
    return codec.decode(text);
  } catch (err) {
    rethrow(err, "CORRUPTION", "stored value cannot be read");
  }
}
