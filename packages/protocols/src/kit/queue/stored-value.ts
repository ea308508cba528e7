import type { Codec } from "../../codec.js";
import { BackendError } from "../../errors.js";
import type { DecodeStored } from "./queue-driver.js";

/**
 * Decodes a stored text with `codec`; any codec failure becomes `CORRUPTION` from
 * `backend`, with the codec's error as `cause` — never a plain `Error`.
 *
 * @example
 * ```ts
 * const value = decodeStored("sqlite", defaultCodec, row.value);
 * ```
 */
export function decodeStored(backend: string, codec: Codec, text: string): unknown {
  try {
    return codec.decode(text);
  } catch (cause) {
    throw corruption(backend, codec, cause);
  }
}

/**
 * A {@link DecodeStored} bound once to a backend and a codec (built per queue, not per call).
 *
 * @example
 * ```ts
 * const decode = storedDecoder<Event>("redis", codec);
 * const value = decode(text);
 * ```
 */
export function storedDecoder<V>(backend: string, codec: Codec): DecodeStored<V> {
  return (text) => {
    try {
      return codec.decode(text) as V;
    } catch (cause) {
      throw corruption(backend, codec, cause);
    }
  };
}

function corruption(backend: string, codec: Codec, cause: unknown): BackendError {
  if (BackendError.is(cause, "CORRUPTION") && cause.backend === backend) return cause;
  const reason = cause instanceof Error ? cause.message.replace(/^\[[^\]]*\] /, "") : String(cause);
  return new BackendError(
    "CORRUPTION",
    `[${backend}] stored value cannot be read by codec ${JSON.stringify(codec.name)}: ${reason}`,
    { backend, cause },
  );
}
