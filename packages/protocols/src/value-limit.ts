import type { Codec } from "./codec.js";
import { invalidArgument } from "./errors.js";

/**
 * Wraps a codec so values whose encoded form exceeds `maxBytes` (UTF-8) are rejected with
 * `INVALID_ARGUMENT` before anything is written. Every store accepts a `codec` option, so
 * this caps value size on any backend without backend-specific code.
 *
 * @example
 * ```ts
 * const cache = backend.cache("s", { codec: limitValueSize(defaultCodec, 64 * 1024) });
 * await cache.set("big", "x".repeat(100_000)); // rejects: INVALID_ARGUMENT
 * ```
 */
export function limitValueSize(codec: Codec, maxBytes: number): Codec {
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw invalidArgument("codec", `maxBytes must be a positive integer, got ${String(maxBytes)}`);
  }
  return Object.freeze({
    name: `${codec.name}<=${maxBytes}B`,
    encode(value: unknown): string {
      const text = codec.encode(value);
      // A UTF-16 unit is at most 3 UTF-8 bytes: short texts skip the byte count.
      if (text.length * 3 > maxBytes && Buffer.byteLength(text, "utf8") > maxBytes) {
        throw invalidArgument("codec", `value is larger than the configured maximum of ${maxBytes} bytes when encoded`);
      }
      return text;
    },
    decode: (text: string) => codec.decode(text),
  });
}
