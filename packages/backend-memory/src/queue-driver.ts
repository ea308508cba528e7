import type { QueueEntry } from "@core/protocols";
import {
  type DecodeStored,
  holdProcess,
  type QueueDriver,
  type QueueLogDriver,
  type QueueWatch,
} from "@core/protocols/kit";
import type { MemoryShared } from "./backend.js";

/**
 * The memory backend's queue storage: one {@link MemoryQueueLog} per log name in the
 * backend's shared map (handles on the same name share it). Work is synchronous, so every
 * method returns an already-settled promise and nothing is ever in flight for `close()`;
 * blocking readers are woken in-process on append (native blocking).
 *
 * @example
 * ```ts
 * const q = createQueue<string>(memoryQueueDriver(shared), "events");
 * await q.put("signup"); // 0
 * ```
 */
export function memoryQueueDriver(shared: MemoryShared): QueueDriver {
  return {
    backend: "memory",
    lifecycle: shared.lifecycle,
    openLog: (storageName) => {
      let log = shared.queues.get(storageName) as MemoryQueueLog | undefined;
      if (log === undefined) shared.queues.set(storageName, (log = new MemoryQueueLog()));
      return log;
    },
  };
}

/**
 * The storage of one topic (or one bucket of a topic): encoded values in an array whose
 * head moves forward on `trim`. Values and timestamps live in two parallel arrays so an
 * append allocates no entry object; the head is compacted away once it passes half the
 * array, so trimmed entries are really freed at amortised O(1) per entry.
 */
class MemoryQueueLog implements QueueLogDriver {
  /** Consumer group → next offset. */
  readonly #groups = new Map<string, number>();
  /** Consumer group → its group-stream claim record (the kit's text). */
  readonly #groupStates = new Map<string, string>();
  #values: (string | undefined)[] = [];
  #times: number[] = [];
  /** Array index of the entry at `#first`. */
  #head = 0;
  #first = 0;
  readonly #waiters = new Set<() => void>();

  /** The next offset = entries ever appended. */
  get #next(): number {
    return this.#first + this.#values.length - this.#head;
  }

  appendOne(text: string): Promise<number> {
    const offset = this.#next;
    this.#values.push(text);
    this.#times.push(Date.now());
    this.#wake();
    return Promise.resolve(offset);
  }

  append(texts: readonly string[]): Promise<number> {
    const first = this.#next;
    const now = Date.now();
    for (let i = 0; i < texts.length; i++) {
      this.#values.push(texts[i]);
      this.#times.push(now);
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a reader woken by an empty batch re-reads nothing and waits again
    if (texts.length > 0) this.#wake();
    return Promise.resolve(first);
  }

  read<V>(offset: number, limit: number, decode: DecodeStored<V>): Promise<QueueEntry<V>[]> {
    const start = Math.max(offset, this.#first);
    const end = Math.min(this.#next, start + limit);
    // Stryker disable next-line EqualityOperator: end === start gives an empty array either way
    if (end <= start) return Promise.resolve([]);
    // Stryker disable next-line ArrayDeclaration: every index is assigned below
    const out: QueueEntry<V>[] = new Array(end - start);
    const shift = this.#head - this.#first;
    try {
      for (let o = start; o < end; o++) {
        const value = decode(this.#values[o + shift] as string);
        out[o - start] = { offset: o, value, timestamp: this.#times[o + shift] as number };
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve(out);
  }

  next(): Promise<number> {
    return Promise.resolve(this.#next);
  }

  stats() {
    return Promise.resolve({ totalCount: this.#next, firstOffset: this.#first });
  }

  commit(group: string, nextOffset: number): Promise<void> {
    this.#groups.set(group, nextOffset);
    return Promise.resolve();
  }

  committed(group: string): Promise<number> {
    return Promise.resolve(this.#groups.get(group) ?? 0);
  }

  groupState(group: string): Promise<string | undefined> {
    return Promise.resolve(this.#groupStates.get(group));
  }

  swapGroupState(group: string, expected: string | undefined, next: string): Promise<boolean> {
    if (this.#groupStates.get(group) !== expected) return Promise.resolve(false);
    this.#groupStates.set(group, next);
    return Promise.resolve(true);
  }

  /** Drops every entry below `before(next)` (capped at the end). */
  trim(_options: unknown, before: (next: number) => number): Promise<number> {
    const target = Math.min(before(this.#next), this.#next);
    const dropped = target - this.#first;
    // Stryker disable next-line EqualityOperator: dropping 0 entries changes nothing and returns 0
    if (dropped <= 0) return Promise.resolve(0);
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
    return Promise.resolve(dropped);
  }

  watch<V>(): QueueWatch<V> {
    return {
      // Checked and parked in one synchronous step: no append can slip in between.
      wait: async (cursor, _limit, _decode, stop) => {
        if (this.#next <= cursor) await this.#waitForAppend(stop);
        return undefined;
      },
      dispose: () => {},
    };
  }

  /** Resolves on the next append, or at once when `signal` is (or becomes) aborted. */
  #waitForAppend(signal: AbortSignal): Promise<void> {
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
