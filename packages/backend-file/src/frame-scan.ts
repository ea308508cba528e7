import { crc32 } from "node:zlib";
import { fileError } from "./errors.js";
import { BATCH_MARK, HEADER_BYTES, MAX_RECORD_BYTES } from "./segment.js";

/** A record found by {@link scanRecords}: its payload and its start position in the file. */
export interface ScannedRecord {
  position: number;
  payload: Buffer;
}

/** What a scan found. */
export interface ScanResult {
  /** Payloads of the whole, valid records (batches whole), with their start position. */
  records: ScannedRecord[];
  /** Position just after the last valid record or batch. */
  end: number;
  /**
   * What follows `end`. `clean`: nothing. `torn`: a unit that cannot be complete (shorter
   * than its header says, zeros a file system added, bytes that are no record at all): a
   * crash mid-write, safe to cut. `damaged`: a record or batch whose length header says it
   * is complete but which fails its checksum: a written record damaged since (or, after a
   * power loss, a write the file system sized but never filled); cut too, but reported.
   */
  tail: "clean" | "torn" | "damaged";
}

/** A unit's header: body length and whether it is a batch frame. */
interface Header {
  length: number;
  batch: boolean;
}

function headerAt(buf: Buffer, at: number): Header | undefined {
  const length = buf.readUInt32LE(at);
  const check = buf.readUInt32LE(at + 4);
  if (check === ~length >>> 0) return length <= MAX_RECORD_BYTES ? { length, batch: false } : undefined;
  if (check === (~length ^ BATCH_MARK) >>> 0) return { length, batch: true };
  return undefined;
}

/**
 * Verifies the unit at `at` whose body (`head.length` bytes) lies inside `buf`, adding its
 * records to `out` only if all of it is valid: one record's checksum, or every record of a
 * batch (framed, checksummed, exactly the count in its header, filling its body).
 */
function verifyUnit(buf: Buffer, at: number, head: Header, base: number, out: ScannedRecord[]): boolean {
  const start = at + HEADER_BYTES;
  const end = start + head.length;
  if (!head.batch) {
    const payload = buf.subarray(start, end);
    if (crc32(payload) !== buf.readUInt32LE(at + 8)) return false;
    out.push({ position: base + at, payload });
    return true;
  }
  const mark = out.length;
  let p = start;
  let count = 0;
  while (p < end) {
    const length = end - p < HEADER_BYTES ? -1 : buf.readUInt32LE(p);
    if (length < 0 || buf.readUInt32LE(p + 4) !== ~length >>> 0 || length > end - p - HEADER_BYTES) break;
    const payload = buf.subarray(p + HEADER_BYTES, p + HEADER_BYTES + length);
    if (crc32(payload) !== buf.readUInt32LE(p + 8)) break;
    out.push({ position: base + p, payload });
    count++;
    p += HEADER_BYTES + length;
  }
  if (p === end && count === buf.readUInt32LE(at + 8)) return true;
  out.length = mark;
  return false;
}

/** True when a whole, valid record or batch starts anywhere in `buf` from `from` on. */
function validUnitFrom(buf: Buffer, from: number): boolean {
  const scratch: ScannedRecord[] = [];
  for (let i = from; i + HEADER_BYTES <= buf.length; i++) {
    const head = headerAt(buf, i);
    if (head === undefined || i + HEADER_BYTES + head.length > buf.length) continue;
    if (verifyUnit(buf, i, head, 0, scratch)) return true;
    scratch.length = 0;
  }
  return false;
}

/**
 * True when the bad header at `at` is a damaged header of a unit ending exactly at the end
 * of `buf`: read with the length from either of its two length words (one of them is
 * intact when one byte flipped), the body verifies.
 */
function damagedLastHeader(buf: Buffer, at: number): boolean {
  const w0 = buf.readUInt32LE(at);
  const w1 = ~buf.readUInt32LE(at + 4) >>> 0;
  const fits = (length: number) => at + HEADER_BYTES + length === buf.length;
  const candidates: Header[] = [
    { length: w0, batch: false },
    { length: w1, batch: false },
    { length: w0, batch: true },
    { length: (w1 ^ BATCH_MARK) >>> 0, batch: true },
  ];
  return candidates.some(
    (head) => (head.batch || head.length <= MAX_RECORD_BYTES) && fits(head.length) && verifyUnit(buf, at, head, 0, []),
  );
}

function isZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Reads the records of `buf` (file bytes starting at file position `base`), a batch frame
 * as one unit. Damage before a valid record or batch is `CORRUPTION` (never skipped, never
 * returned). After the last valid unit, a unit that cannot be complete is a torn tail,
 * whatever its length; a unit complete by its length header but failing its checksum (the
 * header's own bytes included) is a damaged tail (see {@link ScanResult.tail}).
 *
 * @example
 * ```ts
 * const { records, end, tail } = scanRecords(bytes, 0, "segment 0");
 * ```
 */
export function scanRecords(buf: Buffer, base: number, what: string): ScanResult {
  const records: ScannedRecord[] = [];
  let at = 0;
  const result = (tail: ScanResult["tail"]): ScanResult => ({ records, end: base + at, tail });
  while (at < buf.length) {
    if (buf.length - at < HEADER_BYTES) return result("torn");
    const head = headerAt(buf, at);
    if (head !== undefined) {
      const next = at + HEADER_BYTES + head.length;
      if (next > buf.length) return result("torn"); // a write cut short
      if (verifyUnit(buf, at, head, base, records)) {
        at = next;
        continue;
      }
      if (!validUnitFrom(buf, next)) return result("damaged");
      throw fileError("CORRUPTION", `${what}: checksum mismatch at byte ${base + at}; restore from a backup`);
    }
    // A file system may extend a file with zeros it never wrote: that is a torn tail too.
    if (isZero(buf, at)) return result("torn");
    if (damagedLastHeader(buf, at)) return result("damaged");
    if (validUnitFrom(buf, at + 1)) {
      throw fileError("CORRUPTION", `${what}: damaged record header at byte ${base + at}; restore from a backup`);
    }
    return result("torn"); // bytes after the last record that are no record at all
  }
  return result("clean");
}
