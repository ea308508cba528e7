import { closeSync, openSync, read, readSync } from "node:fs";
import { join } from "node:path";
import { fileError, fsError } from "./errors.js";
import { INDEX_EVERY, type RawEntry, type Segment, segmentName } from "./queue-segment.js";
import { recordAt } from "./segment.js";

/** Bytes read at a time when serving a page. */
const READ_CHUNK = 1 << 20;
/** Reads up to this size are synchronous (page cache: cheaper than a thread-pool trip). */
const SYNC_READ_BYTES = 256 * 1024;
/** Read descriptors kept open per topic (segments read again soon are not reopened). */
const OPEN_SEGMENTS = 8;

function readAt(fd: number, length: number, position: number): Promise<Buffer> | Buffer {
  const buf = Buffer.allocUnsafe(length);
  if (length <= SYNC_READ_BYTES) return buf.subarray(0, readSync(fd, buf, 0, length, position));
  return new Promise((resolve, reject) =>
    read(fd, buf, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(buf.subarray(0, bytesRead)))),
  );
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

  /**
   * Closes the descriptors of segments that are no longer listed.
   *
   * @example
   * ```ts
   * reader.retain(new Set(bases));
   * ```
   */
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

  /**
   * Closes the descriptor of segment `base`, if open (before the segment is deleted).
   *
   * @example
   * ```ts
   * reader.closeFd(segment.base);
   * ```
   */
  closeFd(base: number): void {
    const fd = this.#fds.get(base);
    if (fd === undefined) return;
    this.#fds.delete(base);
    try {
      closeSync(fd);
    } catch {
      // A read-only descriptor: nothing can be lost by a failed close.
    }
  }

  /**
   * Closes the read descriptors.
   *
   * @example
   * ```ts
   * reader.close();
   * ```
   */
  close(): void {
    for (const base of [...this.#fds.keys()]) this.closeFd(base);
  }

  /**
   * Up to `limit` entries of `segments` from `offset` (which must be at least the first
   * kept offset).
   *
   * @example
   * ```ts
   * const page = await reader.read(segments, 10, 100);
   * ```
   */
  async read(segments: readonly Segment[], offset: number, limit: number): Promise<RawEntry[]> {
    const out: RawEntry[] = [];
    let i = find(segments, offset);
    while (i >= 0 && i < segments.length && out.length < limit) {
      const segment = segments[i] as Segment;
      if (offset >= segment.base + segment.count) {
        i++;
        continue;
      }
      // The sparse index bounds the bytes to read: from the indexed entry at or before
      // `offset` to the indexed entry after the last one wanted (at most 2 × 64 extra).
      const from = Math.max(0, offset - segment.base);
      const slot = Math.floor(from / INDEX_EVERY);
      const lastWanted = Math.min(segment.count, from + (limit - out.length)) - 1;
      let position = segment.index[slot] ?? 0;
      const end = segment.index[Math.floor(lastWanted / INDEX_EVERY) + 1] ?? segment.size;
      let current = segment.base + slot * INDEX_EVERY;
      const what = `${this.#what} ${segmentName(segment.base)}`;
      const fd = this.#fd(segment);
      while (position < end && out.length < limit) {
        const length = Math.min(READ_CHUNK, end - position);
        let buf: Buffer;
        try {
          buf = await readAt(fd, length, position);
        } catch (err) {
          throw fsError(err, "reading", join(this.#dir, segmentName(segment.base)));
        }
        if (buf.length === 0) {
          throw fileError("CORRUPTION", `${what}: the segment is shorter than its scanned size; restore from a backup`);
        }
        // [position, end) holds whole records only (scanned before): a record cut short
        // here is damage, unless the chunk limit cut it (then it is read next round).
        let at = 0;
        while (at < buf.length && out.length < limit) {
          const wanted = current >= offset;
          const record = recordAt(buf, at, position, what, wanted);
          if (record === undefined) break;
          if (wanted) {
            const { payload } = record;
            out.push({ offset: current, timestamp: payload.readDoubleLE(8), text: payload.toString("utf8", 16) });
          }
          current++;
          at = record.next;
        }
        if (at === 0) {
          throw fileError(
            "CORRUPTION",
            length === READ_CHUNK
              ? `${this.#what}: an entry larger than ${READ_CHUNK} bytes cannot be read in one chunk`
              : `${what}: damaged record at byte ${position}; restore from a backup`,
          );
        }
        if (at < buf.length && out.length < limit && length < READ_CHUNK) {
          throw fileError("CORRUPTION", `${what}: damaged record at byte ${position + at}; restore from a backup`);
        }
        position += at;
      }
      offset = segment.base + segment.count;
      i++;
    }
    return out;
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
