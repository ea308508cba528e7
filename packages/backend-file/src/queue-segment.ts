import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import type { DamageReports } from "./damage.js";
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

/**
 * Reads what was appended to `segment` since its last scan, checking that every entry
 * carries the next offset, and extends its count, size and sparse index; its tail goes to
 * {@link DamageReports.settleTail}. Returns the bytes cut off.
 */
export async function scanSegment(
  dir: string,
  segment: Segment,
  locked: boolean,
  label: string,
  damage: DamageReports,
): Promise<number> {
  const path = join(dir, segmentName(segment.base));
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0; // trimmed meanwhile
    throw fsError(err, "reading", path);
  }
  if (size <= segment.size) return 0;
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
  return damage.settleTail(scan, path, what, size, locked);
}
