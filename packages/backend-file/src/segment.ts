import { crc32 } from "node:zlib";
import { fileError } from "./errors.js";

/** Bytes before each record's payload: length, its complement, CRC32 of the payload. */
export const HEADER_BYTES = 12;
/** Largest payload one record may carry. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * Frames payloads as `[u32 length][u32 ~length][u32 crc32(payload)][payload]`. The
 * complemented length catches a damaged header before its length is trusted.
 *
 * @example
 * ```ts
 * const bytes = encodeRecords([Buffer.from("hello")]);
 * ```
 */
export function encodeRecords(payloads: readonly Buffer[]): Buffer {
  let size = 0;
  for (const p of payloads) size += HEADER_BYTES + p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of payloads) {
    out.writeUInt32LE(p.length, at);
    out.writeUInt32LE(~p.length >>> 0, at + 4);
    out.writeUInt32LE(crc32(p), at + 8);
    p.copy(out, at + HEADER_BYTES);
    at += HEADER_BYTES + p.length;
  }
  return out;
}

/**
 * {@link encodeRecords} of UTF-8 texts, written straight into the output (no buffer per
 * text).
 *
 * @example
 * ```ts
 * const bytes = encodeTextRecords(['{"d":"k"}']);
 * ```
 */
export function encodeTextRecords(texts: readonly string[]): Buffer {
  const lengths = new Array<number>(texts.length);
  let size = 0;
  for (let i = 0; i < texts.length; i++) {
    const length = Buffer.byteLength(texts[i] as string, "utf8");
    lengths[i] = length;
    size += HEADER_BYTES + length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const length = lengths[i] as number;
    const start = at + HEADER_BYTES;
    out.write(texts[i] as string, start, length, "utf8");
    out.writeUInt32LE(length, at);
    out.writeUInt32LE(~length >>> 0, at + 4);
    out.writeUInt32LE(crc32(out.subarray(start, start + length)), at + 8);
    at = start + length;
  }
  return out;
}

/** What a scan found. */
export interface ScanResult {
  /** Payloads of the whole, valid records, with their start position. */
  records: { position: number; payload: Buffer }[];
  /** Position just after the last valid record. */
  end: number;
  /**
   * `clean`: the buffer ends on a record boundary. `torn`: the tail after `end` is an
   * unfinished or damaged last record (a crash mid-write): safe to truncate.
   */
  tail: "clean" | "torn";
}

function isZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Reads the records of `buf` (file bytes starting at file position `base`). A damaged
 * record followed by more data is `CORRUPTION` (never skipped, never returned); a damaged
 * or short last record is a torn tail.
 *
 * @example
 * ```ts
 * const { records, end, tail } = scanRecords(bytes, 0, "segment 0");
 * ```
 */
export function scanRecords(buf: Buffer, base: number, what: string): ScanResult {
  const records: ScanResult["records"] = [];
  let at = 0;
  while (at < buf.length) {
    const left = buf.length - at;
    if (left < HEADER_BYTES) return { records, end: base + at, tail: "torn" };
    const length = buf.readUInt32LE(at);
    const check = buf.readUInt32LE(at + 4);
    if (~length >>> 0 !== check || length > MAX_RECORD_BYTES) {
      // A file system may extend a file with zeros it never wrote: that is a torn tail too.
      if (isZero(buf, at)) return { records, end: base + at, tail: "torn" };
      throw fileError("CORRUPTION", `${what}: damaged record header at byte ${base + at}; restore from a backup`);
    }
    const next = at + HEADER_BYTES + length;
    if (next > buf.length) return { records, end: base + at, tail: "torn" };
    const payload = buf.subarray(at + HEADER_BYTES, next);
    if (crc32(payload) !== buf.readUInt32LE(at + 8)) {
      if (next === buf.length) return { records, end: base + at, tail: "torn" };
      throw fileError("CORRUPTION", `${what}: checksum mismatch at byte ${base + at}; restore from a backup`);
    }
    records.push({ position: base + at, payload });
    at = next;
  }
  return { records, end: base + at, tail: "clean" };
}

/**
 * The record starting at index `at` of `buf` (file bytes from position `base`), or
 * `undefined` when the buffer ends inside it. For ranges an earlier scan found whole: a
 * damaged header, or with `verify` a checksum mismatch, is `CORRUPTION` (bit rot since),
 * never a torn tail. Records a reader skips need no checksum: they are not returned.
 *
 * @example
 * ```ts
 * const record = recordAt(bytes, 0, 4096, "segment 0", true);
 * ```
 */
export function recordAt(
  buf: Buffer,
  at: number,
  base: number,
  what: string,
  verify: boolean,
): { payload: Buffer; next: number } | undefined {
  if (buf.length - at < HEADER_BYTES) return undefined;
  const length = buf.readUInt32LE(at);
  if (~length >>> 0 !== buf.readUInt32LE(at + 4) || length > MAX_RECORD_BYTES) {
    throw fileError("CORRUPTION", `${what}: damaged record header at byte ${base + at}; restore from a backup`);
  }
  const next = at + HEADER_BYTES + length;
  if (next > buf.length) return undefined;
  const payload = buf.subarray(at + HEADER_BYTES, next);
  if (verify && crc32(payload) !== buf.readUInt32LE(at + 8)) {
    throw fileError("CORRUPTION", `${what}: checksum mismatch at byte ${base + at}; restore from a backup`);
  }
  return { payload, next };
}
