import { type BigIntStats, closeSync, existsSync, openSync, read, readSync, statSync } from "node:fs";
import { open, readdir, readFile, stat, truncate, unlink } from "node:fs/promises";
import { join, sep } from "node:path";
import { atomicWrite, ensureDirectory, FILE_MODE, syncDirectory, writeAll } from "./atomic-write.js";
import { fileError, fsError } from "./errors.js";
import { encodeRecords, recordAt, scanRecords } from "./segment.js";

/** Every this many entries a segment's sparse index keeps a byte position. */
const INDEX_EVERY = 64;
/** Bytes read at a time when serving a page. */
const READ_CHUNK = 1 << 20;
/** Reads up to this size are synchronous (page cache: cheaper than a thread-pool trip). */
const SYNC_READ_BYTES = 256 * 1024;
/** Read descriptors kept open per topic (segments read again soon are not reopened). */
const OPEN_SEGMENTS = 8;
/**
 * A cached `meta.json` is trusted only once its mtime is this far in the past: on a file
 * system with coarse timestamps, a replacement within the same tick could otherwise look
 * unchanged (the "racy timestamp" problem).
 */
const RACY_MS = 2000;
const SEGMENT = /^seg-(\d{16})\.log$/;

/** One segment file: entries `base .. base + count - 1`. */
interface Segment {
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

/** The topic's small mutable state, replaced atomically. */
export interface TopicMeta {
  first: number;
  groups: Record<string, number>;
  /** Transport outboxes: which member instance holds each group, until when. */
  leases?: Record<string, GroupLease>;
}

/** A transport group's lease: only its owner delivers the group's messages. */
export interface GroupLease {
  /** The holding group instance (pid + random). */
  owner: string;
  pid: number;
  /** Milliseconds since the epoch; an expired lease may be taken over. */
  until: number;
}

function readAt(fd: number, length: number, position: number): Promise<Buffer> | Buffer {
  const buf = Buffer.allocUnsafe(length);
  if (length <= SYNC_READ_BYTES) return buf.subarray(0, readSync(fd, buf, 0, length, position));
  return new Promise((resolve, reject) =>
    read(fd, buf, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(buf.subarray(0, bytesRead)))),
  );
}

function segmentName(base: number): string {
  return `seg-${String(base).padStart(16, "0")}.log`;
}

function encodeEntry(entry: RawEntry): Buffer {
  const text = Buffer.from(entry.text, "utf8");
  const out = Buffer.allocUnsafe(16 + text.length);
  out.writeDoubleLE(entry.offset, 0);
  out.writeDoubleLE(entry.timestamp, 8);
  text.copy(out, 16);
  return out;
}

/**
 * The files of one topic (or bucket): append-only segments `seg-<base offset>.log` whose
 * entries are framed with length and CRC32 and carry their own offset, a sparse in-memory
 * index per segment (one position every 64 entries: a read finds its segment and its
 * starting point by binary search), and `meta.json` (first kept offset, consumer groups)
 * replaced atomically. Only the holder of the topic's lock appends, trims or truncates a
 * torn tail; readers in other processes catch up by scanning what was appended.
 *
 * @example
 * ```ts
 * const log = new SegmentLog("/data/queue/ab12…", { segmentBytes: 8 << 20, what: "queue events" });
 * await log.refresh(true);
 * await log.append([{ offset: log.next, timestamp: Date.now(), text: '"a"' }], true);
 * ```
 */
export class SegmentLog {
  readonly dir: string;
  readonly #segmentBytes: number;
  readonly #what: string;
  #segments: Segment[] = [];
  #ready = false;
  /** Segment base → open read descriptor (at most {@link OPEN_SEGMENTS}). */
  readonly #fds = new Map<number, number>();
  /** `meta.json`'s identity (inode, size, times) and its `first`, when safe to reuse. */
  #meta: { key: string; first: number } | undefined;
  /** Bytes of torn tails cut off. */
  truncatedBytes = 0;

  constructor(dir: string, options: { segmentBytes: number; what: string }) {
    this.dir = dir;
    this.#segmentBytes = options.segmentBytes;
    this.#what = options.what;
  }

  /** Entries ever appended to disk = the next offset. */
  get next(): number {
    const last = this.#segments.at(-1);
    return last === undefined ? 0 : last.base + last.count;
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  /** The oldest offset still on disk (the first segment's base). */
  get first(): number {
    return this.#segments[0]?.base ?? 0;
  }

  /** The offset after the first segment, or Infinity when it is the only one (never dropped). */
  get firstSegmentEnd(): number {
    const segment = this.#segments[0];
    return this.#segments.length < 2 || segment === undefined ? Number.POSITIVE_INFINITY : segment.base + segment.count;
  }

  /**
   * The base of the first segment {@link dropBelow} with `target` would keep.
   *
   * @example
   * ```ts
   * const first = log.keptFrom(next - 1000);
   * ```
   */
  keptFrom(target: number): number {
    let i = 0;
    while (i < this.#segments.length - 1) {
      const segment = this.#segments[i] as Segment;
      if (segment.base + segment.count > target) break;
      i++;
    }
    return this.#segments[i]?.base ?? 0;
  }

  async prepare(): Promise<void> {
    if (this.#ready) return;
    await ensureDirectory(this.dir).catch((err) => {
      throw fsError(err, "creating", this.dir);
    });
    this.#ready = true;
  }

  /**
   * Catches up with the files: new segments, entries appended, segments trimmed away.
   * With `locked` (the caller holds the topic lock) a torn tail is cut off and counted.
   *
   * @example
   * ```ts
   * await log.refresh(false);
   * ```
   */
  async refresh(locked: boolean): Promise<void> {
    if (!locked && this.#unchanged()) return;
    await this.prepare();
    const names = (await readdir(this.dir)).filter((n) => SEGMENT.test(n)).sort();
    const bases = names.map((n) => Number((SEGMENT.exec(n) as RegExpExecArray)[1]));
    const known = new Map(this.#segments.map((s) => [s.base, s]));
    this.#segments = bases.map((base) => known.get(base) ?? { base, count: 0, size: 0, index: [], sealed: false });
    const kept = new Set(bases);
    for (const base of this.#fds.keys()) if (!kept.has(base)) this.#closeFd(base);
    for (let i = 0; i < this.#segments.length; i++) {
      const segment = this.#segments[i] as Segment;
      if (segment.sealed) continue;
      const last = i === this.#segments.length - 1;
      await this.#scan(segment, locked && last);
      if (!last) segment.sealed = true;
    }
  }

  /**
   * True when nothing was appended since the last scan, in two `stat`s instead of a
   * directory listing: the last segment has the size scanned (appends from any process
   * change it), and the segment a rotation would create (`seg-<next>`) does not exist. A
   * trim elsewhere is caught by `meta.json` ({@link firstKept}).
   */
  #unchanged(): boolean {
    const last = this.#segments.at(-1);
    if (last === undefined) return false;
    try {
      const info = statSync(`${this.dir}${sep}${segmentName(last.base)}`, { throwIfNoEntry: false });
      if (info === undefined || info.size !== last.size) return false;
      return !existsSync(`${this.dir}${sep}${segmentName(last.base + last.count)}`);
    } catch {
      return false;
    }
  }

  #fd(segment: Segment): number {
    let fd = this.#fds.get(segment.base);
    if (fd !== undefined) return fd;
    const path = join(this.dir, segmentName(segment.base));
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
    if (this.#fds.size >= OPEN_SEGMENTS) this.#closeFd(this.#fds.keys().next().value as number);
    this.#fds.set(segment.base, fd);
    return fd;
  }

  #closeFd(base: number): void {
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
   * log.close();
   * ```
   */
  close(): void {
    for (const base of [...this.#fds.keys()]) this.#closeFd(base);
  }

  async #scan(segment: Segment, locked: boolean): Promise<void> {
    const path = join(this.dir, segmentName(segment.base));
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
    const what = `${this.#what} ${segmentName(segment.base)}`;
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
    if (locked && scan.tail === "torn") {
      this.truncatedBytes += size - scan.end;
      await truncate(path, scan.end);
    }
  }

  /**
   * Appends entries (the caller holds the lock and refreshed under it); rotates to a new
   * segment once the current one passes `segmentBytes`; fsyncs when `durable`.
   *
   * @example
   * ```ts
   * await log.append(entries, true);
   * ```
   */
  async append(entries: readonly RawEntry[], durable: boolean): Promise<void> {
    if (entries.length === 0) return;
    await this.prepare();
    let segment = this.#segments.at(-1);
    if (segment === undefined || segment.size >= this.#segmentBytes) {
      if (segment) segment.sealed = true;
      segment = { base: this.next, count: 0, size: 0, index: [], sealed: false };
      const created = join(this.dir, segmentName(segment.base));
      try {
        await (await open(created, "a", FILE_MODE)).close();
        await syncDirectory(this.dir);
      } catch (err) {
        throw fsError(err, "creating", created);
      }
      this.#segments.push(segment);
    }
    const path = join(this.dir, segmentName(segment.base));
    const bytes = encodeRecords(entries.map(encodeEntry));
    const handle = await open(path, "a", FILE_MODE);
    try {
      await writeAll(handle, bytes);
      if (durable) await handle.datasync();
    } catch (err) {
      // Cut a partial append (a full disk) so the segment holds only whole entries.
      await truncate(path, segment.size).catch(() => {});
      throw fsError(err, "appending to", path);
    } finally {
      await handle.close();
    }
    let position = segment.size;
    for (const entry of entries) {
      if (segment.count % INDEX_EVERY === 0) segment.index.push(position);
      position += 12 + 16 + Buffer.byteLength(entry.text, "utf8");
      segment.count++;
    }
    segment.size = position;
  }

  /**
   * Up to `limit` entries from `offset` (which must be at least the first kept offset).
   *
   * @example
   * ```ts
   * const page = await log.read(10, 100);
   * ```
   */
  async read(offset: number, limit: number): Promise<RawEntry[]> {
    const out: RawEntry[] = [];
    let i = this.#find(offset);
    while (i >= 0 && i < this.#segments.length && out.length < limit) {
      const segment = this.#segments[i] as Segment;
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
          throw fsError(err, "reading", join(this.dir, segmentName(segment.base)));
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

  #find(offset: number): number {
    let lo = 0;
    let hi = this.#segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#segments[mid] as Segment).base <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found === -1 && this.#segments.length > 0 ? 0 : found;
  }

  /**
   * Deletes whole segments entirely below `first`, never the newest one (it carries the
   * next offset). The caller holds the lock.
   *
   * @example
   * ```ts
   * await log.dropBelow(meta.first);
   * ```
   */
  async dropBelow(first: number): Promise<void> {
    while (this.#segments.length > 1) {
      const segment = this.#segments[0] as Segment;
      if (segment.base + segment.count > first) break;
      this.#closeFd(segment.base);
      await unlink(join(this.dir, segmentName(segment.base))).catch(() => {});
      this.#segments.shift();
    }
    await syncDirectory(this.dir);
  }

  /**
   * The first kept offset (`meta.json`'s `first`, 0 for a new topic). The parsed value is
   * reused while `meta.json` is the same file (inode, size, mtime and ctime in ns), which
   * one `stat` checks: a trim in any process replaces the file.
   *
   * @example
   * ```ts
   * const first = await log.firstKept();
   * ```
   */
  async firstKept(): Promise<number> {
    const path = join(this.dir, "meta.json");
    let info: BigIntStats | undefined;
    try {
      info = statSync(path, { bigint: true, throwIfNoEntry: false });
    } catch (err) {
      throw fsError(err, "reading", path);
    }
    if (info === undefined) return 0;
    const key = `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    if (this.#meta?.key === key) return this.#meta.first;
    const { first } = await this.readMeta();
    const settled = Date.now() - Number(info.mtimeMs) > RACY_MS && Date.now() - Number(info.ctimeMs) > RACY_MS;
    this.#meta = settled ? { key, first } : undefined;
    return first;
  }

  /**
   * The topic's meta (first kept offset, groups); defaults for a new topic.
   *
   * @example
   * ```ts
   * const { first } = await log.readMeta();
   * ```
   */
  async readMeta(): Promise<TopicMeta> {
    let text: string;
    try {
      text = await readFile(join(this.dir, "meta.json"), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { first: 0, groups: {} };
      throw fsError(err, "reading", join(this.dir, "meta.json"));
    }
    try {
      const meta = JSON.parse(text) as TopicMeta;
      if (typeof meta.first !== "number" || typeof meta.groups !== "object") throw new Error("bad shape");
      return meta;
    } catch (cause) {
      throw fileError("CORRUPTION", `${this.#what}: meta.json is unreadable; restore from a backup`, cause);
    }
  }

  /**
   * Replaces the meta atomically (the caller holds the lock).
   *
   * @example
   * ```ts
   * await log.writeMeta({ first: 10, groups: { g: 12 } });
   * ```
   */
  async writeMeta(meta: TopicMeta): Promise<void> {
    this.#meta = undefined;
    await this.prepare();
    await atomicWrite(join(this.dir, "meta.json"), JSON.stringify(meta));
  }
}
