import { open, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { fileError, fsError } from "./errors.js";
import { scanRecords } from "./frames.js";

/**
 * Every this many entries a segment's sparse index keeps a byte position: a one-entry read
 * walks at most this many headers, and the index costs ~8 bytes per 16 entries in memory.
 */
export const INDEX_EVERY = 16;
/** A segment file's name: `seg-<base offset, 16 digits>.log`. */
export const SEGMENT = /^seg-(\d{16})\.log$/;

/** One segment file: entries `base .. base + count - 1`. */
export interface Segment {
  base: number;
  count: number;
  /** Bytes scanned (= end of the last whole entry). */
  size: number;
  /** Byte position of entry `base + i * INDEX_EVERY`. */
  index: number[];
  /** A later segment exists and this one was read to its end: it never changes again. */
  sealed: boolean;
}

/** A raw entry: its offset, time and the codec's text. */
export interface RawEntry {
  offset: number;
  timestamp: number;
  text: string;
}

/** The file name of the segment whose first entry is `base`. */
export function segmentName(base: number): string {
  return `seg-${String(base).padStart(16, "0")}.log`;
}

/** An entry's payload: offset and timestamp (two little-endian doubles), then the text. */
export function encodeEntry(entry: RawEntry): Buffer {
  const text = Buffer.from(entry.text, "utf8");
  const out = Buffer.allocUnsafe(16 + text.length);
  out.writeDoubleLE(entry.offset, 0);
  out.writeDoubleLE(entry.timestamp, 8);
  text.copy(out, 16);
  return out;
}

/** Where {@link scanSegment} reports the tails it finds. */
export interface TailReports {
  /** Bytes of a torn or damaged tail cut off (only with `locked`). */
  truncated(bytes: number): void;
  /** A damaged last entry (or batch) at `position`, `bytes` to the end of the file. */
  damaged(path: string, what: string, position: number, bytes: number): void;
}

/**
 * Reads what was appended to `segment` since its last scan, checking that every entry
 * carries the next offset, and extends its count, size and sparse index. A damaged tail
 * is reported to `reports.damaged`; with `locked` (the caller holds the topic lock) a torn
 * or damaged tail is cut off and reported to `reports.truncated`.
 */
export async function scanSegment(
  dir: string,
  segment: Segment,
  locked: boolean,
  label: string,
  reports: TailReports,
): Promise<void> {
  const path = join(dir, segmentName(segment.base));
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // trimmed meanwhile
    throw fsError(err, "reading", path);
  }
  if (size <= segment.size) return;
  const handle = await open(path, "r");
  let buf: Buffer;
  try {
    buf = Buffer.allocUnsafe(size - segment.size);
    const { bytesRead } = await handle.read(buf, 0, buf.length, segment.size);
    buf = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const what = `${label} ${segmentName(segment.base)}`;
  const scan = scanRecords(buf, segment.size, what);
  for (const { position, payload } of scan.records) {
    const offset = payload.readDoubleLE(0);
    if (offset !== segment.base + segment.count) {
      throw fileError(
        "CORRUPTION",
        `${what}: entry at byte ${position} has offset ${offset}, expected ${segment.base + segment.count}`,
      );
    }
    if (segment.count % INDEX_EVERY === 0) segment.index.push(position);
    segment.count++;
  }
  segment.size = scan.end;
  if (scan.tail === "damaged") reports.damaged(path, what, scan.end, size - scan.end);
  if (locked && scan.tail !== "clean") {
    reports.truncated(size - scan.end);
    await truncate(path, scan.end);
  }
}
