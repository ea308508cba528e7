/**
 * Collects the parameters of one statement; {@link SqlParams.add} returns the placeholder
 * in the dialect's style (`?` or `$n`), so no value ever enters SQL text. Text must be
 * built in the order the values are added: positional `?` placeholders bind by position.
 *
 * @example
 * ```ts
 * const p = new SqlParams((n) => `$${n}`);
 * const sql = `r.id = ${p.add("x")}`; // "r.id = $1", p.values = ["x"]
 * ```
 */
export class SqlParams {
  readonly values: unknown[] = [];
  readonly #placeholder: (index: number) => string;

  constructor(placeholder: (index: number) => string) {
    this.#placeholder = placeholder;
  }

  /**
   * Adds one value; returns its placeholder (1-based index for numbered styles).
   *
   * @example
   * ```ts
   * p.add(5); // "$1"
   * ```
   */
  add(value: unknown): string {
    this.values.push(value);
    return this.#placeholder(this.values.length);
  }
}
