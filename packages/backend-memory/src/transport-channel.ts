import {
  DedupWindow,
  MAX_DEDUP_KEYS,
  type OutgoingMessage,
  RETAINED_MESSAGES,
  type StoredMessage,
} from "@core/protocols/kit";

/** The bounds a memory channel keeps to: the kit's, re-exported where the channel is documented. */
export { MAX_DEDUP_KEYS, RETAINED_MESSAGES };

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
 * channel.append([{ message, text: "1" }], 60_000);
 * channel.at(0)?.fields?.id; // message.id
 * ```
 */
export class MemoryChannel {
  readonly #log = new Map<number, StoredMessage>();
  readonly #dedup = new DedupWindow();
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

  /**
   * Appends the messages whose idempotency key was not seen within the window, then wakes
   * subscribers. Returns each message's sequence number, or null for a dropped repeat.
   */
  append(messages: readonly OutgoingMessage[], dedupWindowMs: number, now = Date.now()): (string | null)[] {
    this.#dedup.prune(now);
    const ids: (string | null)[] = [];
    for (const { message, text, notBefore } of messages) {
      const key = message.idempotencyKey;
      if (key !== undefined && !this.#dedup.claim(key, dedupWindowMs, now)) {
        ids.push(null);
        continue;
      }
      // The validated message is the layer's own copy: kept as is, headers frozen.
      const { id, headers, publishedAt } = message;
      const fields =
        key === undefined ? { id, headers, publishedAt } : { id, headers, publishedAt, idempotencyKey: key };
      Object.freeze(headers);
      const seq = this.#next;
      this.#log.set(seq, notBefore === undefined ? { seq, text, fields } : { seq, text, fields, notBefore });
      ids.push(String(seq));
      this.#next += 1;
    }
    this.trim();
    this.wake();
    return ids;
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
}
