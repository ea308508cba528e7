import { atomicWrite } from "./atomic-write.js";
import type { JournalState } from "./journal-state.js";

/** Compact once the log holds this many records more than twice the snapshot. */
const COMPACT_SLACK = 1000;

/**
 * Whether a log of `records` records may be worth compacting (the cheap bound of
 * {@link compactLog}, without building the snapshot).
 */
export function compactionDue<Op>(records: number, state: JournalState<Op>): boolean {
  return records >= COMPACT_SLACK + 2 * state.size();
}

/**
 * Replaces a journal's log by a snapshot of its state when the log holds far more records
 * than the state needs (`records` ≥ 1,000 + twice the snapshot): the snapshot is written to
 * a temporary file, fsynced when `fsync`, and renamed over `log`; other processes notice the
 * new inode and reload. Call under the journal's lock, right after an append. Returns the
 * new log's size and record count, or `undefined` when nothing was replaced (not long
 * enough, or the snapshot could not be written — a full disk: the long log stays and a
 * later append tries again).
 */
export async function compactLog<Op>(
  log: string,
  state: JournalState<Op>,
  records: number,
  fsync: boolean,
  encode: (ops: readonly Op[]) => Buffer,
): Promise<{ bytes: number; records: number } | undefined> {
  // Cheap bound first: building the snapshot on every append would cost O(state) per write.
  if (!compactionDue(records, state)) return undefined;
  const snapshot = state.snapshot();
  if (records < COMPACT_SLACK + 2 * snapshot.length) return undefined;
  const bytes = encode(snapshot);
  try {
    // An unsynced journal needs no directory fsync: until the rename is on disk the old
    // log (a superset) is still there, and what follows is as unsynced as any write.
    await atomicWrite(log, bytes, { syncDirectory: fsync });
  } catch {
    // The append before this is already durable, so the call must not fail.
    return undefined;
  }
  return { bytes: bytes.length, records: snapshot.length };
}
