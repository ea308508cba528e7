/** A message as the memory transport keeps it: payload encoded so every delivery gets a fresh copy. */
export interface StoredMessage {
  readonly id: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly publishedAt: number;
  readonly idempotencyKey?: string;
}

/** Messages kept per channel beyond what groups and subscribers still need, for `fromStart`. */
export const RETAINED_MESSAGES = 1000;
/** Most idempotency keys remembered per channel; the oldest are forgotten first. */
export const MAX_DEDUP_KEYS = 100_000;

/**
 * Where a group is: `next` is the first message never handed out, `pending` the ones a
 * subscriber is handling, `returned` those given back by a subscriber that left before
 * handling them (handed out again first, oldest first).
 */
export interface GroupState {
  next: number;
  readonly pending: Set<number>;
  readonly returned: number[];
}

/**
 * One channel of a memory backend, shared by every transport of that backend: an
 * append-only log numbered by sequence, group positions, plain subscribers' cursors and
 * the idempotency keys seen. Entries are trimmed once every group and subscriber has
 * passed them and they fall out of the last {@link RETAINED_MESSAGES}.
 *
 * @example
 * ```ts
 * const channel = new MemoryChannel();
 * channel.append([{ id: "1", text: "1", headers: {}, publishedAt: 0 }], 60_000);
 * channel.at(0)?.id; // "1"
 * ```
 */
export class MemoryChannel {
  readonly #log = new Map<number, StoredMessage>();
  readonly #dedup = new Map<string, number>();
  readonly #groups = new Map<string, GroupState>();
  readonly #cursors = new Set<{ position: number }>();
  readonly #wakers = new Set<() => void>();
  #first = 0;
  #next = 0;

  /** Sequence of the oldest kept message. */
  get first(): number {
    return this.#first;
  }

  /** Sequence the next appended message gets. */
  get next(): number {
    return this.#next;
  }

  /** Number of messages kept (for tests of bounded memory). */
  get size(): number {
    return this.#log.size;
  }

  at(seq: number): StoredMessage | undefined {
    return this.#log.get(seq);
  }

  /** Appends the messages whose idempotency key was not seen within the window, then wakes subscribers. */
  append(messages: readonly StoredMessage[], dedupWindowMs: number, now = Date.now()): void {
    this.#pruneKeys(now);
    for (const message of messages) {
      const key = message.idempotencyKey;
      if (key !== undefined) {
        const expiresAt = this.#dedup.get(key);
        // Stryker disable next-line EqualityOperator: a key expiring in this very millisecond; not observable
        if (expiresAt !== undefined && expiresAt > now) continue;
        this.#dedup.delete(key);
        this.#dedup.set(key, now + dedupWindowMs);
        if (this.#dedup.size > MAX_DEDUP_KEYS) this.#dedup.delete(this.#dedup.keys().next().value as string);
      }
      this.#log.set(this.#next, message);
      this.#next += 1;
    }
    this.trim();
    this.wake();
  }

  /** The group's state, created at the newest message (or the oldest kept with `fromStart`). */
  group(name: string, fromStart: boolean): GroupState {
    let state = this.#groups.get(name);
    if (!state) {
      state = { next: fromStart ? this.#first : this.#next, pending: new Set(), returned: [] };
      this.#groups.set(name, state);
    }
    return state;
  }

  /** Registers a plain subscriber's cursor so the log keeps what it has not read. */
  addCursor(cursor: { position: number }): () => void {
    this.#cursors.add(cursor);
    return () => {
      this.#cursors.delete(cursor);
      this.trim();
    };
  }

  /** Registers a subscriber to be woken on new or returned messages. */
  onChange(waker: () => void): () => void {
    this.#wakers.add(waker);
    // Stryker disable next-line ArrowFunction: a finished subscription's waker only sets flags nobody reads
    return () => this.#wakers.delete(waker);
  }

  wake(): void {
    for (const waker of this.#wakers) waker();
  }

  /** Drops entries nobody needs any more. */
  trim(): void {
    let keepFrom = this.#next - RETAINED_MESSAGES;
    for (const cursor of this.#cursors) keepFrom = Math.min(keepFrom, cursor.position);
    for (const group of this.#groups.values()) {
      keepFrom = Math.min(keepFrom, group.next, ...group.pending, ...group.returned);
    }
    while (this.#first < keepFrom) {
      this.#log.delete(this.#first);
      this.#first += 1;
    }
  }

  // Stryker disable next-line BlockStatement: pruning frees memory only: append ignores expired keys, and they are the oldest in the map
  #pruneKeys(now: number): void {
    // Stryker disable next-line BlockStatement: pruning frees memory only: append ignores expired keys, and they are the oldest in the map
    for (const [key, expiresAt] of this.#dedup) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: pruning frees memory only: append ignores expired keys, and they are the oldest in the map
      if (expiresAt > now) return;
      this.#dedup.delete(key);
    }
  }
}
