import type { FileHandle } from "node:fs/promises";
import { truncate } from "node:fs/promises";
import { fsError } from "./errors.js";
import { HEADER_BYTES } from "./frames.js";
import { INDEX_EVERY, type RawEntry, type Segment } from "./queue-segment.js";

/**
 * Entries {@link SegmentLog.write} put in the page cache: counted by {@link Written.count},
 * durable after {@link Written.sync}.
 *
 * @example
 * ```ts
 * const written = await log.write(entries);
 * written.count();
 * try {
 *   await written.sync();
 * } catch (err) {
 *   written.undo();
 *   await written.cut();
 *   throw err;
 * }
 * ```
 */
export interface Written {
  /** Counts the entries in the log (synchronous: the caller unbuffers them in the same step). */
  count(): void;
  /** fsyncs the entries (then closes the descriptor). */
  sync(): Promise<void>;
  /** Closes the descriptor without an fsync. */
  close(): Promise<void>;
  /** Uncounts the entries (synchronous: readers never see a half-undone log). */
  undo(): void;
  /** Truncates the segment back to before the entries. */
  cut(): Promise<void>;
}

/** A write of no entries: nothing to count, sync or undo. */
export const NOTHING_WRITTEN: Written = {
  count: () => {},
  sync: async () => {},
  close: async () => {},
  undo: () => {},
  cut: async () => {},
};

/**
 * The {@link Written} of `entries` just appended to `segment` through `handle` (still
 * open): `before` is the segment as it was, for undo and cut.
 */
export function writtenBatch(
  handle: FileHandle,
  path: string,
  target: Segment,
  entries: readonly RawEntry[],
  before: { count: number; size: number; index: number },
): Written {
  return {
    count: () => {
      // Several entries were written as one batch frame: its header comes first.
      let position = target.size + (entries.length > 1 ? HEADER_BYTES : 0);
      for (const entry of entries) {
        if (target.count % INDEX_EVERY === 0) target.index.push(position);
        position += HEADER_BYTES + 16 + Buffer.byteLength(entry.text, "utf8");
        target.count++;
      }
      target.size = position;
    },
    // The descriptor that wrote stays open until the fsync: it is the one a writeback
    // error is reported to.
    sync: async () => {
      try {
        await handle.datasync();
      } catch (err) {
        throw fsError(err, "appending to", path);
      } finally {
        await handle.close().catch(() => {});
      }
    },
    close: () => handle.close(),
    undo: () => {
      target.count = before.count;
      target.size = before.size;
      target.index.length = before.index;
    },
    cut: () => truncate(path, before.size).catch(() => {}),
  };
}

/**
 * Counts what {@link SegmentLog.write} wrote, then fsyncs it when `durable` (uncounting
 * and cutting it off again if that fails) or just closes its descriptor.
 */
export async function settleWritten(written: Written, durable: boolean): Promise<void> {
  written.count();
  if (!durable) return written.close();
  try {
    await written.sync();
  } catch (err) {
    written.undo();
    await written.cut();
    throw err;
  }
}
