import {
  DedupWindow,
  type DeliverySource,
  MAX_DEDUP_KEYS,
  type OutgoingMessage,
  RETAINED_MESSAGES,
  type StoredMessage,
  type SubscribeStart,
} from "@core/protocols/kit";

/** The bounds a memory channel keeps to: the kit's, re-exported where the channel is documented. */
export { MAX_DEDUP_KEYS, RETAINED_MESSAGES };

/**
 * Where a subscription is: `next` is the first message never handed out; for a group,
 * `pending` the ones a member is handling and `returned` those given back by a member
 * that left before handling them (handed out again first, oldest first). A plain
 * subscriber's cursor is the same shape, used alone.
 */
interface Position {
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
  readonly #groups = new Map<string, Position>();
  readonly #cursors = new Set<Position>();
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
    this.#trim();
    this.#wake();
    return ids;
  }

  /**
   * A subscription's source: a plain subscriber's own cursor (every message from it on,
   * in order) or a group member's share of the group's position (what the group has not
   * handed to anyone, returned ones first), woken by appends and returns.
   */
  source({ group, fromStart }: SubscribeStart): DeliverySource {
    const start = fromStart ? this.#first : this.#next;
    let position: Position | undefined = group === undefined ? undefined : this.#groups.get(group);
    if (position === undefined) {
      position = { next: start, pending: new Set(), returned: [] };
      if (group === undefined) this.#cursors.add(position);
      else this.#groups.set(group, position);
    }
    const p = position;
    const take = (): number | undefined => {
      let seq = p.returned.shift();
      if (seq === undefined && p.next < this.#next) seq = p.next++;
      if (seq !== undefined) p.pending.add(seq);
      return seq;
    };
    const ack = (seq: number) => {
      p.pending.delete(seq);
      this.#trim();
    };
    // Set by a wake-up since the last take: a wait returns at once instead of missing it.
    let signalled = false;
    let wake: (() => void) | undefined;
    const waker = () => {
      signalled = true;
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    this.#wakers.add(waker);
    return {
      take: () => {
        signalled = false;
        for (;;) {
          const seq = take();
          if (seq === undefined) return undefined;
          const stored = this.#log.get(seq);
          // Kept entries are pinned by this subscription's position; never loop on a gap.
          if (stored !== undefined) return stored;
          ack(seq);
        }
      },
      ack: (stored) => ack(stored.seq as number),
      release: (stored) => {
        // A plain subscriber that leaves has nothing to hand on: its cursor goes with it.
        if (group === undefined) return;
        p.pending.delete(stored.seq as number);
        p.returned.push(stored.seq as number);
        p.returned.sort((a, b) => a - b);
        this.#wake();
      },
      wait: (signal) => {
        if (signalled || signal.aborted) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const done = () => {
            signal.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          };
          wake = done;
          signal.addEventListener("abort", done, { once: true });
        });
      },
      end: () => {
        this.#wakers.delete(waker);
        if (group === undefined && this.#cursors.delete(p)) this.#trim();
      },
    };
  }

  #wake(): void {
    for (const waker of this.#wakers) waker();
  }

  /** Drops entries nobody needs any more. */
  #trim(): void {
    let keepFrom = this.#next - RETAINED_MESSAGES;
    for (const p of [...this.#cursors, ...this.#groups.values()]) {
      keepFrom = Math.min(keepFrom, p.next, ...p.pending, ...p.returned);
    }
    while (this.#first < keepFrom) {
      this.#log.delete(this.#first);
      this.#first += 1;
    }
  }
}
