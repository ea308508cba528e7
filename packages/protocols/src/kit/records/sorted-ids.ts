import { compareCodePoints } from "../../filter.js";

// Chunks stay small enough that an insert's splice is a short copy, and few enough that
// finding a chunk is a short binary search.
const MAX_CHUNK = 512;

/** A position in a {@link SortedIds}: chunk number and index inside the chunk. */
export interface IdPosition {
  chunk: number;
  index: number;
}

/**
 * A set of ids kept in code-point order, as a list of sorted chunks: insert and delete
 * cost a binary search plus a splice of at most {@link MAX_CHUNK} entries, and a keyset
 * page is a seek and a walk, so paging stays flat as the collection grows.
 *
 * @example
 * ```ts
 * const ids = new SortedIds();
 * ids.insert("b"); ids.insert("a");
 * [...ids.ascending(ids.start())]; // ["a", "b"]
 * ```
 */
export class SortedIds {
  #chunks: string[][] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds `id` (no-op if present). */
  insert(id: string): void {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([id]);
      this.#size = 1;
      return;
    }
    let c = this.#chunkFor(id);
    if (c === chunks.length) c -= 1;
    const chunk = chunks[c]!;
    // Ids usually arrive in order: appending is the common case.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: append fast path: lowerBound gives the same index, and an id already present is never inserted
    const i = compareCodePoints(chunk[chunk.length - 1]!, id) < 0 ? chunk.length : lowerBound(chunk, id);
    if (i < chunk.length && chunk[i] === id) return;
    // Stryker disable next-line ConditionalExpression: splice at the end is a push
    if (i === chunk.length) chunk.push(id);
    else chunk.splice(i, 0, id);
    this.#size += 1;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: chunk size is performance only
    if (chunk.length > MAX_CHUNK) chunks.splice(c + 1, 0, chunk.splice(MAX_CHUNK >>> 1));
  }

  /** Removes `id` (no-op if absent). */
  delete(id: string): void {
    const c = this.#chunkFor(id);
    const chunk = this.#chunks[c];
    // Stryker disable next-line ConditionalExpression: delete is only called for ids that are present
    if (chunk === undefined) return;
    const i = lowerBound(chunk, id);
    // Stryker disable next-line ConditionalExpression: delete is only called for ids that are present
    if (chunk[i] !== id) return;
    chunk.splice(i, 1);
    this.#size -= 1;
    if (chunk.length === 0) this.#chunks.splice(c, 1);
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /** The first position. */
  start(): IdPosition {
    return { chunk: 0, index: 0 };
  }

  /** The position after the last id. */
  end(): IdPosition {
    return { chunk: this.#chunks.length, index: 0 };
  }

  /**
   * The first position whose id passes `test`, which must be false for a prefix of the
   * ids and true for the rest (the end if none passes).
   */
  firstWhere(test: (id: string) => boolean): IdPosition {
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
  *ascending(from: IdPosition): Generator<string> {
    const chunks = this.#chunks;
    for (let c = from.chunk, i = from.index; c < chunks.length; c++, i = 0) {
      const chunk = chunks[c]!;
      for (; i < chunk.length; i++) yield chunk[i]!;
    }
  }

  /** Ids before `before`, descending. */
  *descending(before: IdPosition): Generator<string> {
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

  // The first chunk whose last id is ≥ `id` (chunks.length if none).
  #chunkFor(id: string): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid]!;
      if (compareCodePoints(chunk[chunk.length - 1]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function lowerBound(chunk: readonly string[], id: string): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCodePoints(chunk[mid]!, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
