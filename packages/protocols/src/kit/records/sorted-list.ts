// Chunks stay small enough that an insert's splice is a short copy, and few enough that
// finding a chunk is a short binary search.
const MAX_CHUNK = 512;

/** A position in a {@link SortedList}: chunk number and index inside the chunk. */
export interface ListPosition {
  chunk: number;
  index: number;
}

/**
 * Items kept in the order of `compare` (which must never call two different items equal),
 * as a list of sorted chunks: insert and delete cost a binary search plus a splice of at
 * most {@link MAX_CHUNK} entries, and a keyset page is a seek and a walk, so paging stays
 * flat as the list grows.
 *
 * @example
 * ```ts
 * const ids = new SortedList(compareCodePoints);
 * ids.insert("b"); ids.insert("a");
 * [...ids.ascending(ids.start())]; // ["a", "b"]
 * ```
 */
export class SortedList<T> {
  readonly #compare: (a: T, b: T) => number;
  #chunks: T[][] = [];
  #size = 0;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  /** A list of `items` already in `compare` order (no duplicates), without a sort. */
  static fromSorted<T>(compare: (a: T, b: T) => number, items: readonly T[]): SortedList<T> {
    const list = new SortedList(compare);
    const half = MAX_CHUNK >>> 1;
    for (let i = 0; i < items.length; i += half) list.#chunks.push(items.slice(i, i + half));
    list.#size = items.length;
    return list;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `item` (no-op if an equal item is present). */
  insert(item: T): void {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([item]);
      this.#size = 1;
      return;
    }
    let c = this.#chunkFor(item);
    if (c === chunks.length) c -= 1;
    const chunk = chunks[c]!;
    // Items usually arrive in order (new ids, later times): appending is the common case.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: append fast path: lowerBound gives the same index, and an item already present is never inserted
    const i = this.#compare(chunk[chunk.length - 1]!, item) < 0 ? chunk.length : this.#lowerBound(chunk, item);
    if (i < chunk.length && this.#compare(chunk[i]!, item) === 0) return;
    // Stryker disable next-line ConditionalExpression: splice at the end is a push
    if (i === chunk.length) chunk.push(item);
    else chunk.splice(i, 0, item);
    this.#size += 1;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: chunk size is performance only
    if (chunk.length > MAX_CHUNK) chunks.splice(c + 1, 0, chunk.splice(MAX_CHUNK >>> 1));
  }

  /** Removes the item equal to `item` (no-op if absent). */
  delete(item: T): void {
    const c = this.#chunkFor(item);
    const chunk = this.#chunks[c];
    // Stryker disable next-line ConditionalExpression: delete is only called for items that are present
    if (chunk === undefined) return;
    const i = this.#lowerBound(chunk, item);
    // Stryker disable next-line ConditionalExpression: delete is only called for items that are present
    if (i === chunk.length || this.#compare(chunk[i]!, item) !== 0) return;
    chunk.splice(i, 1);
    this.#size -= 1;
    if (chunk.length === 0) this.#chunks.splice(c, 1);
  }

  /**
   * Moves `prev` to `next`: in place when they compare equal (same sort key), else a
   * delete and an insert.
   */
  replace(prev: T, next: T): void {
    if (this.#compare(prev, next) !== 0) {
      this.delete(prev);
      this.insert(next);
      return;
    }
    const chunk = this.#chunks[this.#chunkFor(prev)];
    // Stryker disable next-line ConditionalExpression: replace is only called for items that are present
    if (chunk === undefined) return;
    chunk[this.#lowerBound(chunk, prev)] = next;
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /** The first position. */
  start(): ListPosition {
    return { chunk: 0, index: 0 };
  }

  /** The position after the last item. */
  end(): ListPosition {
    return { chunk: this.#chunks.length, index: 0 };
  }

  /**
   * The first position whose item passes `test`, which must be false for a prefix of the
   * items and true for the rest (the end if none passes).
   */
  firstWhere(test: (item: T) => boolean): ListPosition {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid]!;
      if (test(chunk[chunk.length - 1]!)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === chunks.length) return this.end();
    const chunk = chunks[lo]!;
    let a = 0;
    let b = chunk.length - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (test(chunk[mid]!)) b = mid;
      else a = mid + 1;
    }
    return { chunk: lo, index: a };
  }

  /** Ids from `from` on, ascending. */
  *ascending(from: ListPosition): Generator<T> {
    const chunks = this.#chunks;
    for (let c = from.chunk, i = from.index; c < chunks.length; c++, i = 0) {
      const chunk = chunks[c]!;
      for (; i < chunk.length; i++) yield chunk[i]!;
    }
  }

  /** Ids before `before`, descending. */
  *descending(before: ListPosition): Generator<T> {
    const chunks = this.#chunks;
    let c = before.chunk;
    let i = before.index - 1;
    // Stryker disable next-line ConditionalExpression,BlockStatement: the loop's own step moves to the previous chunk when the index is -1
    if (i < 0) {
      c -= 1;
      i = (chunks[c]?.length ?? 0) - 1;
    }
    for (; c >= 0; c--, i = (chunks[c]?.length ?? 0) - 1) {
      const chunk = chunks[c]!;
      for (; i >= 0; i--) yield chunk[i]!;
    }
  }

  // The first chunk whose last item is ≥ `item` (chunks.length if none).
  #chunkFor(item: T): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid]!;
      if (this.#compare(chunk[chunk.length - 1]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #lowerBound(chunk: readonly T[], item: T): number {
    const compare = this.#compare;
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(chunk[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
