import { BackendError, type Codec } from "@core/protocols";
import { BACKEND } from "./errors.js";

function rethrow(err: unknown, code: "CORRUPTION", what: string): never {
  const detail = err instanceof Error ? err.message.replace(/^\[[^\]]*\] /, "") : String(err);
  throw new BackendError(BackendError.is(err) ? err.code : code, `${what}: ${detail}`, {
    backend: BACKEND,
    cause: err,
  });
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
