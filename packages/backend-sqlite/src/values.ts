import { BackendError, type Codec, defaultCodec } from "@core/protocols";
import { BACKEND } from "./errors.js";

// Codec errors name the codec; callers of this backend should see `[sqlite]`.
function rethrow(err: unknown, code: "CORRUPTION", what: string): never {
  const detail = err instanceof Error ? err.message.replace(/^\[[^\]]*\] /, "") : String(err);
  const finalCode = BackendError.is(err) ? err.code : code;
  throw new BackendError(finalCode, `${what}: ${detail}`, { backend: BACKEND, cause: err });
}

/**
 * Decodes stored text, turning any codec failure into a `[sqlite]` CORRUPTION.
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

/**
 * True when the codec writes safe integers as plain decimal text (the default codec and
 * JSON do): `increment` can then add in SQL, in one statement.
 *
 * @example
 * ```ts
 * integersAsText(defaultCodec); // true
 * ```
 */
export function integersAsText(codec: Codec): boolean {
  if (codec === defaultCodec) return true;
  try {
    for (const n of [0, 7, -42, Number.MAX_SAFE_INTEGER]) {
      if (codec.encode(n) !== String(n) || codec.decode(String(n)) !== n) return false;
    }
    return true;
  } catch {
    return false;
  }
}
