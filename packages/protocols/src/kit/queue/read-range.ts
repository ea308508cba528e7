import type { QueueEntry } from "../../queue.js";
import type { DecodeStored, QueueLogDriver } from "./queue-driver.js";

/** Entries per round trip of `read` when the caller names none. */
export const DEFAULT_PAGE_SIZE = 256;

/**
 * The range read behind `queue.read(from, { toOffset, pageSize })`: pages of `pageSize`
 * from `from` until `toOffset` (exclusive) or the end as it is when the reader gets there,
 * so "no limit means all" never holds more than a page. A trimmed start begins at the
 * first kept entry, like `get`. Ends quietly when `stop` aborts.
 *
 * @example
 * ```ts
 * for await (const e of readRange(log, decode, stop, 0, Infinity, 256)) use(e);
 * ```
 */
export async function* readRange<V>(
  log: QueueLogDriver,
  decode: DecodeStored<V>,
  stop: AbortSignal,
  from: number,
  to: number,
  pageSize: number,
): AsyncGenerator<QueueEntry<V>> {
  let cursor = from;
  while (cursor < to && !stop.aborted) {
    const page = await log.read(cursor, Math.min(pageSize, to - cursor), decode);
    if (page.length === 0) return;
    for (const entry of page) {
      if (entry.offset >= to) return;
      yield entry;
    }
    cursor = (page[page.length - 1] as QueueEntry<V>).offset + 1;
  }
}
