import { type Codec, defaultCodec } from "@core/protocols";

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
