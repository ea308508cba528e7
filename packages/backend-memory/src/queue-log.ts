import type { QueueEntry } from "@core/protocols";
import { type DecodeStored, holdProcess } from "@core/protocols/kit";

/**
 * The storage of one topic (or one bucket of a topic): encoded values in an array whose
 * head moves forward on `trim`. Values and timestamps live in two parallel arrays so an
 * append allocates no entry object; the head is compacted away once it passes half the
 * array, so trimmed entries are really freed at amortised O(1) per entry.
 *
 * @example
 * ```ts
 * const log = new QueueLog();
 * log.append(defaultCodec.encode("a"), Date.now()); // 0
 * log.read(0, 10, (text) => defaultCodec.decode(text)); // [{ offset: 0, value: "a", timestamp }]
 * ```
 */
export class QueueLog {
  /** Consumer group → next offset. */
  readonly groups = new Map<string, number>();
  /** Consumer group → its group-stream claim record (the kit's text). */
  readonly groupStates = new Map<string, string>();
  #values: (string | undefined)[] = [];
  #times: number[] = [];
  /** Array index of the entry at `#first`. */
  #head = 0;
  #first = 0;
  readonly #waiters = new Set<() => void>();

  /** Offset of the oldest entry still kept. */
  get first(): number {
    return this.#first;
  }

  /** The next offset = entries ever appended. */
  get next(): number {
    return this.#first + this.#values.length - this.#head;
  }

  /**
   * Appends one encoded value; returns its offset.
   *
   * @example
   * ```ts
   * const offset = log.append(text, Date.now());
   * ```
   */
  append(encoded: string, timestamp: number): number {
    const offset = this.next;
    this.#values.push(encoded);
    this.#times.push(timestamp);
    this.#wake();
    return offset;
  }

  /**
   * Appends encoded values at consecutive offsets; returns the first.
   *
   * @example
   * ```ts
   * const first = log.appendMany(["1", "2"], Date.now());
   * ```
   */
  appendMany(encoded: readonly string[], timestamp: number): number {
    const first = this.next;
    for (let i = 0; i < encoded.length; i++) {
      this.#values.push(encoded[i]);
      this.#times.push(timestamp);
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a reader woken by an empty batch re-reads nothing and waits again
    if (encoded.length > 0) this.#wake();
    return first;
  }

  /**
   * Decoded entries from `offset` (raised to the first kept offset), at most `limit`.
   *
   * @example
   * ```ts
   * const page = log.read(0, 100, decode);
   * ```
   */
  read<V>(offset: number, limit: number, decode: DecodeStored<V>): QueueEntry<V>[] {
    const start = Math.max(offset, this.#first);
    const end = Math.min(this.next, start + limit);
    // Stryker disable next-line EqualityOperator: end === start gives an empty array either way
    if (end <= start) return [];
    // Stryker disable next-line ArrayDeclaration: every index is assigned below
    const out: QueueEntry<V>[] = new Array(end - start);
    const shift = this.#head - this.#first;
    for (let o = start; o < end; o++) {
      out[o - start] = {
        offset: o,
        value: decode(this.#values[o + shift] as string),
        timestamp: this.#times[o + shift] as number,
      };
    }
    return out;
  }

  /**
   * Drops every entry below `offset` (capped at the end); returns how many were dropped.
   *
   * @example
   * ```ts
   * log.trimBefore(10);
   * ```
   */
  trimBefore(offset: number): number {
    const target = Math.min(offset, this.next);
    const dropped = target - this.#first;
    // Stryker disable next-line EqualityOperator: dropping 0 entries changes nothing and returns 0
    if (dropped <= 0) return 0;
    const from = this.#head;
    this.#head += dropped;
    this.#first = target;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: when to compact is a memory choice; reads are the same either way
    if (this.#head * 2 >= this.#values.length) {
      // Shift the survivors down in place: no new array, the dropped strings become garbage.
      this.#values.copyWithin(0, this.#head);
      this.#times.copyWithin(0, this.#head);
      this.#values.length -= this.#head;
      this.#times.length -= this.#head;
      this.#head = 0;
    } else {
      this.#values.fill(undefined, from, this.#head);
    }
    return dropped;
  }

  /**
   * Resolves on the next append, or at once when `signal` is (or becomes) aborted.
   *
   * @example
   * ```ts
   * await log.waitForAppend(stop);
   * ```
   */
  waitForAppend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      // An active blocking wait keeps the process alive until it is woken or aborted.
      const release = holdProcess();
      const done = () => {
        release();
        this.#waiters.delete(done);
        // Stryker disable next-line StringLiteral: a listener left on a signal calls an idempotent done(); not observable
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.add(done);
      signal.addEventListener("abort", done);
    });
  }

  #wake(): void {
    // Stryker disable next-line ConditionalExpression: looping over an empty set does nothing
    if (this.#waiters.size === 0) return;
    for (const waiter of this.#waiters) waiter();
  }
}
