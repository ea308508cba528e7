import type { JournalState } from "./journal-state.js";

/** A journal operation of a channel's dedup index: a key until `e`, or the scanned mark. */
export type DedupOp = { k: string; e: number } | { n: number } | { s: string; e: number | null };

/**
 * The idempotency keys of one channel, rebuilt from its journal. `scanned` is the outbox
 * offset up to which the keys of stored messages are known to be in the journal: a message
 * is appended (with its key inside) before its key is journalled, so a sender that crashed
 * in between leaves its key in the outbox past `scanned`, where the next sender finds it.
 *
 * @example
 * ```ts
 * const data = new DedupData();
 * data.apply({ k: "order-1", e: Date.now() + 60_000 });
 * data.seen("order-1", Date.now()); // true
 * ```
 */
export class DedupData implements JournalState<DedupOp> {
  readonly #keys = new Map<string, number>();
  scanned = 0;

  reset(): void {
    this.#keys.clear();
    this.scanned = 0;
  }

  apply(op: DedupOp): void {
    if ("k" in op) this.#keys.set(op.k, op.e);
    else if ("n" in op) this.scanned = Math.max(this.scanned, op.n);
    // Journals written before the scanned mark existed hold cache-style ops.
    else this.#keys.set(op.s, op.e ?? Number.POSITIVE_INFINITY);
  }

  size(): number {
    // Expired keys stay in the map until looked up, so its size is no bound of the
    // snapshot: let the journal build it (keyed sends are rare next to their fsync).
    return 0;
  }

  snapshot(): DedupOp[] {
    const now = Date.now();
    const ops: DedupOp[] = [];
    for (const [k, e] of this.#keys) if (e > now && Number.isFinite(e)) ops.push({ k, e });
    ops.push({ n: this.scanned });
    return ops;
  }

  /** Whether `key` was sent within its window. */
  seen(key: string, now: number): boolean {
    const until = this.#keys.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#keys.delete(key);
    return false;
  }
}
