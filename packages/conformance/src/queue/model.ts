import type { TrimOptions } from "@core/protocols";

/**
 * The reference model of one topic: what every backend must answer, written as plainly as
 * possible. Property runs apply the same operations to a backend and to this model and
 * compare every answer.
 *
 * @example
 * ```ts
 * const model = new QueueModel();
 * model.put("a"); // 0
 * model.get(0, 10); // [[0, "a"]]
 * ```
 */
export class QueueModel {
  /** Every value ever appended, by offset (trimmed ones stay, hidden by `firstOffset`). */
  readonly #values: unknown[] = [];
  readonly #groups = new Map<string, number>();
  #firstOffset = 0;

  get totalCount(): number {
    return this.#values.length;
  }

  get firstOffset(): number {
    return this.#firstOffset;
  }

  /**
   * Appends a value; returns its offset.
   *
   * @example
   * ```ts
   * model.put(1);
   * ```
   */
  put(value: unknown): number {
    this.#values.push(value);
    return this.#values.length - 1;
  }

  /**
   * Appends values at consecutive offsets.
   *
   * @example
   * ```ts
   * model.putBatch([1, 2]); // { first: 0, count: 2 }
   * ```
   */
  putBatch(values: readonly unknown[]): { first: number; count: number } {
    const first = this.#values.length;
    this.#values.push(...values);
    return { first, count: values.length };
  }

  /**
   * `[offset, value]` pairs from `offset` (raised to `firstOffset`), at most `limit`.
   *
   * @example
   * ```ts
   * model.get(undefined, 100);
   * ```
   */
  get(offset: number | undefined, limit: number): [number, unknown][] {
    const start = Math.max(offset ?? this.#firstOffset, this.#firstOffset);
    const end = Math.min(this.#values.length, start + limit);
    const out: [number, unknown][] = [];
    for (let o = start; o < end; o++) out.push([o, this.#values[o]]);
    return out;
  }

  /**
   * Drops the oldest entries; returns how many.
   *
   * @example
   * ```ts
   * model.trim({ maxLength: 10 });
   * ```
   */
  trim(options: TrimOptions): number {
    const target =
      "before" in options
        ? Math.min(options.before, this.#values.length)
        : Math.max(0, this.#values.length - options.maxLength);
    const dropped = Math.max(0, target - this.#firstOffset);
    this.#firstOffset += dropped;
    return dropped;
  }

  /**
   * Stores a group's next offset as is.
   *
   * @example
   * ```ts
   * model.commit("g", 3);
   * ```
   */
  commit(group: string, offset: number): void {
    this.#groups.set(group, offset);
  }

  /**
   * A group's next offset, 0 when new.
   *
   * @example
   * ```ts
   * model.committed("g"); // 0
   * ```
   */
  committed(group: string): number {
    return this.#groups.get(group) ?? 0;
  }
}
