import { fstatSync, readSync, statSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { defaultCodec } from "@core/protocols";
import { type ScanResult, scanRecords } from "./frames.js";
import type { JournalState } from "./journal-state.js";

/** Catch-ups up to this size read synchronously (a syscall, no thread-pool round trip). */
const SYNC_READ_BYTES = 64 * 1024;

/**
 * A journal log's inode and size. One `fstat` of the replayed inode (`fd`) while `log` is
 * its only name: it sees every completed append (a size change) and a compaction (the
 * rename over `log` leaves it `nlink` 0). Otherwise (replaced, or hard-linked elsewhere,
 * or not open yet) a `stat` of the path; undefined when there is no log.
 *
 * @example
 * ```ts
 * const info = statLog(reader?.fd, "/data/cache/ab/log");
 * ```
 */
export function statLog(fd: number | undefined, log: string): { ino: number; size: number } | undefined {
  if (fd !== undefined) {
    const own = fstatSync(fd);
    if (own.nlink === 1) return own;
  }
  return statSync(log, { throwIfNoEntry: false });
}

/**
 * Reads the log from `position` to `size` and applies every whole record to `state`;
 * what follows the last whole one (a torn or damaged tail) is left to the caller.
 *
 * @example
 * ```ts
 * const scan = await replayTail(reader, position, info.size, state, "cache c");
 * position = scan.end;
 * ```
 */
export async function replayTail<Op>(
  reader: FileHandle,
  position: number,
  size: number,
  state: JournalState<Op>,
  what: string,
): Promise<ScanResult> {
  const length = size - position;
  const buf = Buffer.allocUnsafe(length);
  const bytesRead =
    length <= SYNC_READ_BYTES
      ? readSync(reader.fd, buf, 0, length, position)
      : (await reader.read(buf, 0, length, position)).bytesRead;
  const scan = scanRecords(buf.subarray(0, bytesRead), position, what);
  for (const { payload } of scan.records) {
    const text = payload.toString("utf8");
    state.apply(state.decode ? state.decode(text) : (defaultCodec.decode(text) as Op));
  }
  return scan;
}
