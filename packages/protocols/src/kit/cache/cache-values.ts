import type { Codec } from "../../codec.js";
import { BackendError, invalidArgument } from "../../errors.js";
import { describeValue } from "../../validation.js";

function reasonOf(err: unknown): string {
  // Codec errors may name another backend (or the codec); callers see this backend's prefix.
  return err instanceof Error ? err.message.replace(/^\[[^\]]*\] /, "") : String(err);
}

/**
 * A cache's codec with the one error mapping of every backend: a value the codec cannot
 * encode (or encodes to something that is not a string) is `INVALID_ARGUMENT`; stored
 * text it cannot decode is `CORRUPTION`; the codec's error is the `cause` either way.
 *
 * @example
 * ```ts
 * const values = new CacheValues("memory", defaultCodec);
 * values.decode(values.encode({ a: 1 })); // { a: 1 }
 * ```
 */
export class CacheValues {
  readonly #backend: string;
  readonly #codec: Codec;

  constructor(backend: string, codec: Codec) {
    this.#backend = backend;
    this.#codec = codec;
  }

  /**
   * The codec's text of `value`; `index` names the entry of a batch.
   *
   * @example
   * ```ts
   * const text = values.encode(42); // "42"
   * ```
   */
  encode(value: unknown, index?: number): string {
    let text: unknown;
    try {
      text = this.#codec.encode(value);
    } catch (cause) {
      const where = index === undefined ? "value" : `entry ${index}`;
      throw new BackendError("INVALID_ARGUMENT", `${where} cannot be stored: ${reasonOf(cause)}`, {
        backend: this.#backend,
        cause,
      });
    }
    if (typeof text !== "string") {
      throw invalidArgument(this.#backend, `codec ${this.#codec.name} returned ${typeof text}, not a string`);
    }
    return text;
  }

  /**
   * The value of stored `text`.
   *
   * @example
   * ```ts
   * values.decode("42"); // 42
   * ```
   */
  decode(text: string): unknown {
    try {
      return this.#codec.decode(text);
    } catch (cause) {
      throw new BackendError(
        "CORRUPTION",
        `stored value cannot be read by codec ${JSON.stringify(this.#codec.name)}: ${reasonOf(cause)}`,
        { backend: this.#backend, cause },
      );
    }
  }

  /**
   * The result of adding `by` to the stored text of `key` (`undefined`: missing, counts as
   * 0), for stores that increment by reading and writing back under their own lock.
   * `INVALID_ARGUMENT` when the stored value is not a safe integer or the sum leaves the
   * safe range.
   *
   * @example
   * ```ts
   * const next = values.increment("hits", slot?.text, 1);
   * slot.text = values.encode(next);
   * ```
   */
  increment(key: string, stored: string | undefined, by: number): number {
    const current = stored === undefined ? 0 : this.decode(stored);
    if (typeof current !== "number" || !Number.isSafeInteger(current)) {
      throw invalidArgument(
        this.#backend,
        `cannot increment ${JSON.stringify(key)}: it holds ${describeValue(current)}, not an integer`,
      );
    }
    const next = current + by;
    if (!Number.isSafeInteger(next)) {
      throw invalidArgument(
        this.#backend,
        `incrementing ${JSON.stringify(key)} by ${by} leaves the safe integer range`,
      );
    }
    return next;
  }
}
