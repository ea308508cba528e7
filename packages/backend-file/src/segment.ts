import { crc32 } from "node:zlib";
import { fileError } from "./errors.js";

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
export function encodeTextRecords(texts: readonly string[], options?: { batch?: boolean }): Buffer {
  const batch = options?.batch === true && texts.length > 1;
  const lengths = new Array<number>(texts.length);
  let size = batch ? HEADER_BYTES : 0;
  for (let i = 0; i < texts.length; i++) {
    const length = Buffer.byteLength(texts[i] as string, "utf8");
    lengths[i] = length;
    size += HEADER_BYTES + length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = batch ? HEADER_BYTES : 0;
  for (let i = 0; i < texts.length; i++) {
    const length = lengths[i] as number;
    const start = at + HEADER_BYTES;
    out.write(texts[i] as string, start, length, "utf8");
    out.writeUInt32LE(length, at);
    out.writeUInt32LE(~length >>> 0, at + 4);
    out.writeUInt32LE(crc32(out.subarray(start, start + length)), at + 8);
    at = start + length;
  }
  if (batch) writeBatchHeader(out, texts.length);
  return out;
}

/**
 * Frames payloads as one batch frame (see {@link BATCH_MARK}) when there are several, as a
 * plain record when there is one: recovery keeps all of a batch or none of it, and a single
 * write costs no extra bytes.
 *
 * @example
 * ```ts
 * const bytes = encodeBatch([Buffer.from("a"), Buffer.from("b")]);
 * ```
 */
export function encodeBatch(payloads: readonly Buffer[]): Buffer {
  if (payloads.length < 2) return encodeRecords(payloads);
  let size = HEADER_BYTES;
  for (const p of payloads) size += HEADER_BYTES + p.length;
  const out = Buffer.allocUnsafe(size);
  let at = HEADER_BYTES;
  for (const p of payloads) {
    out.writeUInt32LE(p.length, at);
    out.writeUInt32LE(~p.length >>> 0, at + 4);
    out.writeUInt32LE(crc32(p), at + 8);
    p.copy(out, at + HEADER_BYTES);
    at += HEADER_BYTES + p.length;
  }
  writeBatchHeader(out, payloads.length);
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

/**
 * The record starting at index `at` of `buf` (file bytes from position `base`), or
 * `undefined` when the buffer ends inside it. For ranges an earlier scan found whole: a
 * damaged header, or with `verify` a checksum mismatch, is `CORRUPTION` (bit rot since),
 * never a torn tail. Records a reader skips need no checksum: they are not returned. A batch
 * frame's header comes back with no payload: the caller steps into the batch (`next`).
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
): { payload: Buffer | undefined; next: number } | undefined {
  if (buf.length - at < HEADER_BYTES) return undefined;
  const length = buf.readUInt32LE(at);
  const check = buf.readUInt32LE(at + 4);
  // A batch frame's header: its records follow, each framed (and checked) on its own.
  if (check === (~length ^ BATCH_MARK) >>> 0) return { payload: undefined, next: at + HEADER_BYTES };
  if (~length >>> 0 !== check || length > MAX_RECORD_BYTES) {
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
