import { crc32 } from "node:zlib";
import { fileError } from "./errors.js";

// The record framing every log of this backend shares (journals, queue segments, outboxes).

/** Bytes before each record's payload: length, its complement, CRC32 of the payload. */
export const HEADER_BYTES = 12;
/** Largest payload one record may carry. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
/**
 * XORed into a batch frame's complemented length, which tells a batch frame from a record:
 * `[u32 body length][u32 ~length ^ BATCH_MARK][u32 record count][records…]`. A batch is one
 * unit for recovery: all of its records are kept, or none.
 */
export const BATCH_MARK = 0x4241_5443;
/** Largest body one batch frame may carry (its length is a u32). */
export const MAX_BATCH_BYTES = 0xffff_ffff;

/**
 * Frames payloads (UTF-8 texts are written straight into the output, no buffer per text)
 * as `[u32 length][u32 ~length][u32 crc32(payload)][payload]`; the complemented length
 * catches a damaged header before its length is trusted. With `batch` and several
 * payloads, one batch frame (see {@link BATCH_MARK}): recovery keeps all of it or none,
 * and a single write costs no extra bytes.
 */
export function encodeRecords(payloads: readonly (Buffer | string)[], batch = false): Buffer {
  const framed = batch && payloads.length > 1;
  const lengths = new Array<number>(payloads.length);
  let size = framed ? HEADER_BYTES : 0;
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i] as Buffer | string;
    lengths[i] = typeof p === "string" ? Buffer.byteLength(p, "utf8") : p.length;
    size += HEADER_BYTES + (lengths[i] as number);
  }
  const out = Buffer.allocUnsafe(size);
  let at = framed ? HEADER_BYTES : 0;
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i] as Buffer | string;
    const length = lengths[i] as number;
    const start = at + HEADER_BYTES;
    if (typeof p === "string") out.write(p, start, length, "utf8");
    else p.copy(out, start);
    out.writeUInt32LE(length, at);
    out.writeUInt32LE(~length >>> 0, at + 4);
    out.writeUInt32LE(crc32(out.subarray(start, start + length)), at + 8);
    at = start + length;
  }
  if (framed) writeBatchHeader(out, payloads.length);
  return out;
}

function writeBatchHeader(out: Buffer, count: number): void {
  const body = out.length - HEADER_BYTES;
  if (body > MAX_BATCH_BYTES) {
    throw fileError("INVALID_ARGUMENT", `a batch of ${body} bytes is larger than ${MAX_BATCH_BYTES}; split it`);
  }
  out.writeUInt32LE(body, 0);
  out.writeUInt32LE((~body ^ BATCH_MARK) >>> 0, 4);
  out.writeUInt32LE(count, 8);
}

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

/**
 * The record starting at index `at` of `buf` (file bytes from position `base`), or
 * `undefined` when the buffer ends inside it. For ranges an earlier scan found whole: a
 * damaged header, or with `verify` a checksum mismatch, is `CORRUPTION` (bit rot since),
 * never a torn tail. Records a reader skips need no checksum: they are not returned. A batch
 * frame's header comes back with no payload: the caller steps into the batch (`next`).
 */
export function recordAt(
  buf: Buffer,
  at: number,
  base: number,
  what: string,
  verify: boolean,
): { payload: Buffer | undefined; next: number } | undefined {
  if (buf.length - at < HEADER_BYTES) return undefined;
  const head = headerAt(buf, at);
  if (head === undefined) {
    throw fileError("CORRUPTION", `${what}: damaged record header at byte ${base + at}; restore from a backup`);
  }
  // A batch frame's header: its records follow, each framed (and checked) on its own.
  if (head.batch) return { payload: undefined, next: at + HEADER_BYTES };
  const next = at + HEADER_BYTES + head.length;
  if (next > buf.length) return undefined;
  const payload = buf.subarray(at + HEADER_BYTES, next);
  if (verify && crc32(payload) !== buf.readUInt32LE(at + 8)) {
    throw fileError("CORRUPTION", `${what}: checksum mismatch at byte ${base + at}; restore from a backup`);
  }
  return { payload, next };
}
