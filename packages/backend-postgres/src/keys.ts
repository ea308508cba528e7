// PostgreSQL text cannot hold U+0000, but keys may. This escape maps U+0000 → U+0001 U+0001
// and U+0001 → U+0001 U+0002; the codes are prefix-free and ordered like the characters
// they replace, so code-point order, prefixes and equality all survive the encoding.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escaped characters are control characters
const NEEDS_ESCAPE = /[\u0000\u0001]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escaped characters are control characters
const ESCAPED = /[\u0000\u0001]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape codes are control characters
const DECODE = /\u0001([\u0001\u0002])/g;

/**
 * A key as stored in a text column (see the escape above); most keys come back unchanged.
 *
 * @example
 * ```ts
 * encodeKey("a\u0000b"); // "a\u0001\u0001b"
 * ```
 */
export function encodeKey(key: string): string {
  if (!NEEDS_ESCAPE.test(key)) return key;
  return key.replace(ESCAPED, (c) => (c === "\u0000" ? "\u0001\u0001" : "\u0001\u0002"));
}

/**
 * The inverse of {@link encodeKey}.
 *
 * @example
 * ```ts
 * decodeKey("a\u0001\u0001b"); // "a\u0000b"
 * ```
 */
export function decodeKey(stored: string): string {
  if (!stored.includes("\u0001")) return stored;
  return stored.replace(DECODE, (_, c: string) => (c === "\u0001" ? "\u0000" : "\u0001"));
}
