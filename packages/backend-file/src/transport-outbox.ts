import type { JournalState } from "./journal.js";
import type { SegmentLog } from "./queue-log.js";
import type { TopicMeta } from "./topic-meta.js";

/**
 * Sets an own, enumerable property (safe for names like `__proto__`).
 *
 * @example
 * ```ts
 * setOwn(meta.groups, "shipping", 42);
 * ```
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The smallest stored group position of `meta` (Infinity without groups). */
export function slowestGroup(meta: TopicMeta): number {
  let slowest = Number.POSITIVE_INFINITY;
  for (const position of Object.values(meta.groups)) slowest = Math.min(slowest, position);
  return slowest;
}

/**
 * Drops the outbox's whole segments that every group has passed and that lie before the
 * last `retention` messages. The caller holds the topic lock and passes the meta it just
 * read; `meta.first` moves to the first kept segment (written before the files go, so a
 * crash in between only leaves files nobody reads). Returns whether anything was dropped.
 *
 * @example
 * ```ts
 * await topic.exclusive(async () => trimOutbox(topic.log, await topic.readMeta(), 1000));
 * ```
 */
export async function trimOutbox(log: SegmentLog, meta: TopicMeta, retention: number): Promise<boolean> {
  const target = Math.min(log.next - retention, slowestGroup(meta));
  if (log.firstSegmentEnd > target) return false;
  const first = Math.max(meta.first, log.keptFrom(target));
  if (first <= log.first) return false;
  meta.first = first;
  await log.writeMeta(meta);
  await log.dropBelow(first);
  return true;
}

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
