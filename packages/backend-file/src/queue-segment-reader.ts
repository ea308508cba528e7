import { openSync, read, readSync } from "node:fs";
import { join } from "node:path";
import { closeQuietly } from "./atomic-write.js";
import { fileError, fsError } from "./errors.js";
import { recordAt } from "./frames.js";
import { INDEX_EVERY, type RawEntry, type Segment, segmentName } from "./queue-segment.js";

/** Bytes read at a time when serving a page. */
const READ_CHUNK = 1 << 20;
/** Reads up to this size are synchronous (page cache: cheaper than a thread-pool trip). */
const SYNC_READ_BYTES = 256 * 1024;
/** Read descriptors kept open per topic (segments read again soon are not reopened). */
const OPEN_SEGMENTS = 8;

// One buffer for every synchronous read of the process: it is parsed (values copied out as
// strings) before anything else runs, and a fresh allocation per page (beyond Node's small
// pool) costs more than the read itself.
let scratch: Buffer | undefined;
const probe = Buffer.allocUnsafe(1);

function readNow(fd: number, length: number, position: number): Buffer {
  scratch ??= Buffer.allocUnsafe(SYNC_READ_BYTES);
  return scratch.subarray(0, readSync(fd, scratch, 0, length, position));
}

function readLater(fd: number, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  return new Promise((resolve, reject) =>
    read(fd, buf, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(buf.subarray(0, bytesRead)))),
  );
}

/**
 * The bytes of one segment a page needs: `[position, end)`, where `current` is the offset
 * of the entry at `position` and entries from `from` on are wanted.
 */
interface Span {
  readonly segment: Segment;
  readonly from: number;
  readonly end: number;
  position: number;
  current: number;
}

/**
 * Serves pages of a segment log: finds the segment by binary search, bounds the bytes to
 * read with its sparse index, and keeps a few read descriptors open (segments read again
 * soon are not reopened).
 *
 * @example
 * ```ts
 * const reader = new SegmentReader(dir, "queue events");
 * const page = await reader.read(segments, 10, 100);
 * reader.close();
 * ```
 */
export class SegmentReader {
  readonly #dir: string;
  readonly #what: string;
  /** Segment base → open read descriptor (at most {@link OPEN_SEGMENTS}). */
  readonly #fds = new Map<number, number>();

  constructor(dir: string, what: string) {
    this.#dir = dir;
    this.#what = what;
  }

  /** Closes the descriptors of segments that are no longer listed. */
  retain(bases: ReadonlySet<number>): void {
    for (const base of this.#fds.keys()) if (!bases.has(base)) this.closeFd(base);
  }

  #fd(segment: Segment): number {
    let fd = this.#fds.get(segment.base);
    if (fd !== undefined) return fd;
    const path = join(this.#dir, segmentName(segment.base));
    try {
      fd = openSync(path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        throw fileError(
          "CORRUPTION",
          `${this.#what}: segment ${segmentName(segment.base)} vanished; it was trimmed meanwhile — read again`,
        );
      }
      throw fsError(err, "reading", path);
    }
    if (this.#fds.size >= OPEN_SEGMENTS) this.closeFd(this.#fds.keys().next().value as number);
    this.#fds.set(segment.base, fd);
    return fd;
  }

  /** Closes the descriptor of segment `base`, if open (before the segment is deleted). */
  closeFd(base: number): void {
    const fd = this.#fds.get(base);
    this.#fds.delete(base);
    closeQuietly(fd);
  }

  /** Closes the read descriptors. */
  close(): void {
    for (const base of [...this.#fds.keys()]) this.closeFd(base);
  }

  /**
   * True when `segment` holds bytes past its scanned size (another process appended): a
   * one-byte read at that size, cheaper than a `stat` and allocation-free.
   */
  grew(segment: Segment): boolean {
    try {
      return readSync(this.#fd(segment), probe, 0, 1, segment.size) > 0;
    } catch {
      return true; // let the slow path report it
    }
  }

  /**
   * Up to `limit` entries of `segments` from `offset` (which must be at least the first
   * kept offset).
   */
  async read(segments: readonly Segment[], offset: number, limit: number): Promise<RawEntry[]> {
    const out: RawEntry[] = [];
    for (let span = this.#next(segments, offset, limit); span !== undefined; ) {
      // Opened per segment, not while planning: at most OPEN_SEGMENTS stay open.
      const fd = this.#fd(span.segment);
      while (span.position < span.end && out.length < limit) {
        const length = Math.min(READ_CHUNK, span.end - span.position);
        let buf: Buffer;
        try {
          buf =
            length <= SYNC_READ_BYTES ? readNow(fd, length, span.position) : await readLater(fd, length, span.position);
        } catch (err) {
          throw fsError(err, "reading", join(this.#dir, segmentName(span.segment.base)));
        }
        this.#parse(span, buf, length, out, limit);
      }
      span = this.#next(segments, span.segment.base + span.segment.count, limit - out.length);
    }
    return out;
  }

  /**
   * {@link read} without waiting, or `undefined` when the page needs a read too large to
   * run synchronously (then nothing was read: call {@link read}).
   */
  readSync(segments: readonly Segment[], offset: number, limit: number): RawEntry[] | undefined {
    const spans: Span[] = [];
    let bytes = 0;
    let planned = 0;
    // Plan first (no reads): give up before reading anything if it is too large.
    for (let span = this.#next(segments, offset, limit); span !== undefined; ) {
      bytes += span.end - span.position;
      if (bytes > SYNC_READ_BYTES) return undefined;
      spans.push(span);
      const end = span.segment.base + span.segment.count;
      planned += end - span.from;
      span = this.#next(segments, end, limit - planned);
    }
    const out: RawEntry[] = [];
    for (const span of spans) {
      const fd = this.#fd(span.segment);
      // More than one round only when a read comes back short: the file ends early, which
      // the next (empty) read reports as CORRUPTION.
      while (span.position < span.end && out.length < limit) {
        const length = span.end - span.position;
        let buf: Buffer;
        try {
          buf = readNow(fd, length, span.position);
        } catch (err) {
          throw fsError(err, "reading", join(this.#dir, segmentName(span.segment.base)));
        }
        this.#parse(span, buf, length, out, limit);
      }
    }
    return out;
  }

  /** The span of the first segment holding entries from `offset` on, up to `count` of them. */
  #next(segments: readonly Segment[], offset: number, count: number): Span | undefined {
    if (count <= 0) return undefined;
    for (let i = find(segments, offset); i >= 0 && i < segments.length; i++) {
      const segment = segments[i] as Segment;
      if (offset >= segment.base + segment.count) continue;
      // The sparse index bounds the bytes to read: from the indexed entry at or before
      // `offset` to the indexed entry after the last one wanted (at most 2 × INDEX_EVERY extra).
      const from = Math.max(0, offset - segment.base);
      const slot = Math.floor(from / INDEX_EVERY);
      const lastWanted = Math.min(segment.count, from + count) - 1;
      return {
        segment,
        from: segment.base + from,
        end: segment.index[Math.floor(lastWanted / INDEX_EVERY) + 1] ?? segment.size,
        position: segment.index[slot] ?? 0,
        current: segment.base + slot * INDEX_EVERY,
      };
    }
    return undefined;
  }

  /** Adds the wanted entries of `buf` (file bytes at `span.position`, `length` asked) to `out`. */
  #parse(span: Span, buf: Buffer, length: number, out: RawEntry[], limit: number): void {
    const what = `${this.#what} ${segmentName(span.segment.base)}`;
    if (buf.length === 0) {
      throw fileError("CORRUPTION", `${what}: the segment is shorter than its scanned size; restore from a backup`);
    }
    // [position, end) holds whole records only (scanned before): a record cut short
    // here is damage, unless the chunk limit cut it (then it is read next round).
    let at = 0;
    while (at < buf.length && out.length < limit) {
      const wanted = span.current >= span.from;
      const record = recordAt(buf, at, span.position, what, wanted);
      if (record === undefined) break;
      const { payload } = record;
      if (payload === undefined) {
        at = record.next; // a batch frame's header: its entries follow
        continue;
      }
      if (wanted) {
        out.push({ offset: span.current, timestamp: payload.readDoubleLE(8), text: payload.toString("utf8", 16) });
      }
      span.current++;
      at = record.next;
    }
    if (at === 0) {
      throw fileError(
        "CORRUPTION",
        length === READ_CHUNK
          ? `${this.#what}: an entry larger than ${READ_CHUNK} bytes cannot be read in one chunk`
          : `${what}: damaged record at byte ${span.position}; restore from a backup`,
      );
    }
    if (at < buf.length && out.length < limit && length < READ_CHUNK) {
      throw fileError("CORRUPTION", `${what}: damaged record at byte ${span.position + at}; restore from a backup`);
    }
    span.position += at;
  }
}

function find(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((segments[mid] as Segment).base <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found === -1 && segments.length > 0 ? 0 : found;
}
