/**
 * The prefix Keyv puts before every key of a namespace (`"<namespace>:"`), or `undefined`
 * when the store has no namespace (then the whole cache is the store).
 *
 * @example
 * ```ts
 * namespacePrefix("sessions"); // "sessions:"
 * namespacePrefix(undefined);  // undefined
 * ```
 */
export function namespacePrefix(namespace: string | undefined): string | undefined {
  return namespace === undefined || namespace === "" ? undefined : `${namespace}:`;
}

/**
 * A `keys({ match })` glob that selects at least every key starting with `prefix`.
 * The cache glob has no escape syntax, so a literal `*` or `?` inside the prefix becomes
 * `?` (one character, so it still matches itself); callers keep only the keys that really
 * start with the prefix.
 *
 * @example
 * ```ts
 * prefixGlob("ns:");    // "ns:*"
 * prefixGlob("a*b:");   // "a?b:*"
 * ```
 */
export function prefixGlob(prefix: string): string {
  return `${prefix.replace(/[*?]/g, "?")}*`;
}

/**
 * Every key of `keys` that starts with `prefix` (all of them when `prefix` is undefined).
 *
 * @example
 * ```ts
 * for await (const key of keysUnder(cache.keys({ match: prefixGlob("ns:") }), "ns:")) console.log(key);
 * ```
 */
export async function* keysUnder(keys: AsyncIterable<string>, prefix: string | undefined): AsyncIterable<string> {
  for await (const key of keys) {
    if (prefix === undefined || key.startsWith(prefix)) yield key;
  }
}

/**
 * Groups an async sequence into arrays of at most `size` items, so reads and deletes of a
 * whole namespace go out as batches (one round trip each on network backends).
 *
 * @example
 * ```ts
 * for await (const batch of chunked(cache.keys(), 500)) await cache.deleteMany(batch);
 * ```
 */
export async function* chunked<T>(items: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
