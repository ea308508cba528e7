import { existsSync } from "node:fs";
import { type FileHandle, open, readdir, truncate, unlink } from "node:fs/promises";
import { join, sep } from "node:path";
import { createFile, ensureDirectory, FILE_MODE, syncDirectory, writeAll } from "./atomic-write.js";
import { type DamagedRecordHandler, DamageReports } from "./damage.js";
import { fsError } from "./errors.js";
import { encodeRecords, HEADER_BYTES } from "./frames.js";
import {
  encodeEntry,
  INDEX_EVERY,
  type RawEntry,
  SEGMENT,
  type Segment,
  scanSegment,
  segmentName,
} from "./queue-segment.js";
import { SegmentReader } from "./queue-segment-reader.js";
import { type TopicMeta, TopicMetaFile } from "./topic-meta.js";

/**
 * The files of one topic (or bucket): append-only segments `seg-<base offset>.log` of
 * framed entries carrying their own offset, with a sparse in-memory index (see
 * queue-segment.ts), and `meta.json` (topic-meta.ts). Only the holder of the topic's lock
 * appends, trims or cuts a torn tail; other processes catch up by scanning the appends.
 *
 * @example
 * ```ts
 * const log = new SegmentLog("/data/queue/ab12…", { segmentBytes: 8 << 20, what: "queue events" });
 * await log.refresh(true);
 * await settleWritten(await log.write([{ offset: log.next, timestamp: Date.now(), text: '"a"' }]));
 * ```
 */
export class SegmentLog {
  readonly dir: string;
  readonly #segmentBytes: number;
  readonly #what: string;
  #segments: Segment[] = [];
  #ready = false;
  readonly #reader: SegmentReader;
  /** `meta.json`: first kept offset and groups; write it through {@link writeMeta}. */
  readonly meta: TopicMetaFile;
  /** Bytes of torn or damaged tails cut off. */
  truncatedBytes = 0;
  readonly #damage: DamageReports;

  constructor(dir: string, options: { segmentBytes: number; what: string; onDamage?: DamagedRecordHandler }) {
    this.#damage = new DamageReports(options.onDamage);
    this.dir = dir;
    this.#reader = new SegmentReader(dir, options.what);
    this.meta = new TopicMetaFile(dir, options.what);
    this.#segmentBytes = options.segmentBytes;
    this.#what = options.what;
  }

  /** Entries ever appended to disk = the next offset. */
  get next(): number {
    const last = this.#segments.at(-1);
    return last === undefined ? 0 : last.base + last.count;
  }

  /** Damaged last entries (or batches) found and reported (see damage.ts). */
  get damagedRecords(): number {
    return this.#damage.count;
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

  /** The base of the first segment {@link dropBelow} with `target` would keep. */
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
    await ensureDirectory(this.dir);
    this.#ready = true;
  }

  /**
   * Catches up with the files: new segments, entries appended, segments trimmed away.
   * With `locked` (the caller holds the topic lock) a torn tail is cut off and counted.
   */
  async refresh(locked: boolean): Promise<void> {
    if (!locked && this.settled() !== undefined) return;
    await this.prepare();
    const names = (await readdir(this.dir)).filter((n) => SEGMENT.test(n)).sort();
    const bases = names.map((n) => Number((SEGMENT.exec(n) as RegExpExecArray)[1]));
    const known = new Map(this.#segments.map((s) => [s.base, s]));
    this.#segments = bases.map((base) => known.get(base) ?? { base, count: 0, size: 0, index: [], sealed: false });
    this.#reader.retain(new Set(bases));
    for (let i = 0; i < this.#segments.length; i++) {
      const segment = this.#segments[i] as Segment;
      if (segment.sealed) continue;
      const last = i === this.#segments.length - 1;
      this.truncatedBytes += await scanSegment(this.dir, segment, locked && last, this.#what, this.#damage);
      if (!last) segment.sealed = true;
    }
  }

  /**
   * The first kept offset when nothing was appended or trimmed since the last scan, else
   * `undefined`, in two syscalls: the last segment has no byte past its scanned size, and
   * `meta.json` (unchanged: no trim) still names it `last` (writers name a segment there
   * before appending to it), or, without that mark (an older writer), no `seg-<next>`.
   */
  settled(): number | undefined {
    const last = this.#segments.at(-1);
    if (last === undefined || this.#reader.grew(last)) return undefined;
    const meta = this.meta.current();
    if (meta.last === last.base) return meta.first;
    try {
      return existsSync(`${this.dir}${sep}${segmentName(last.base + last.count)}`) ? undefined : meta.first;
    } catch {
      return undefined;
    }
  }

  /** Closes the read descriptors. */
  close(): void {
    this.#reader.close();
    this.meta.close();
  }

  /**
   * Writes entries to the page cache (the caller holds the lock and refreshed under it),
   * rotating past `segmentBytes`; the caller settles the {@link Written} before writing
   * more. A failed write is cut back to the last whole entry and counts nothing.
   */
  async write(entries: readonly RawEntry[]): Promise<Written> {
    if (entries.length === 0) return NOTHING_WRITTEN;
    await this.prepare();
    let segment = this.#segments.at(-1);
    if (segment === undefined || segment.size >= this.#segmentBytes) {
      if (segment) segment.sealed = true;
      segment = { base: this.next, count: 0, size: 0, index: [], sealed: false };
      const created = join(this.dir, segmentName(segment.base));
      try {
        await createFile(created);
      } catch (err) {
        throw fsError(err, "creating", created);
      }
      this.#segments.push(segment);
    }
    // Readers trust `meta.json`'s `last` (see settled): name the segment before using it.
    if (this.meta.current().last !== segment.base) await this.writeMeta(await this.meta.read());
    const path = join(this.dir, segmentName(segment.base));
    // A group commit of several entries is one batch frame: a crash keeps all or none.
    const bytes = encodeRecords(entries.map(encodeEntry), true);
    const handle = await open(path, "a", FILE_MODE);
    const before = { count: segment.count, size: segment.size, index: segment.index.length };
    try {
      await writeAll(handle, bytes);
    } catch (err) {
      // Cut a partial append (a full disk) so the segment holds only whole entries.
      await truncate(path, before.size).catch(() => {});
      await handle.close().catch(() => {});
      throw fsError(err, "appending to", path);
    }
    return writtenBatch(handle, path, segment, entries, before);
  }

  /** Up to `limit` entries from `offset` (which must be at least the first kept offset). */
  read(offset: number, limit: number): Promise<RawEntry[]> {
    return this.#reader.read(this.#segments, offset, limit);
  }

  /** {@link read} without waiting, or `undefined` when the page is too large for that. */
  readSync(offset: number, limit: number): RawEntry[] | undefined {
    return this.#reader.readSync(this.#segments, offset, limit);
  }

  /**
   * Deletes whole segments entirely below `first`, never the newest one (it carries the
   * next offset). The caller holds the lock.
   */
  async dropBelow(first: number): Promise<void> {
    while (this.#segments.length > 1) {
      const segment = this.#segments[0] as Segment;
      if (segment.base + segment.count > first) break;
      this.#reader.closeFd(segment.base);
      await unlink(join(this.dir, segmentName(segment.base))).catch(() => {});
      this.#segments.shift();
    }
    await syncDirectory(this.dir);
  }

  /**
   * Replaces the meta atomically (the caller holds the lock), with `last` set to the
   * newest segment.
   */
  async writeMeta(meta: TopicMeta): Promise<void> {
    await this.prepare();
    const last = this.#segments.at(-1);
    // Under the lock after a refresh, so this is the newest segment.
    if (last === undefined) delete meta.last;
    else meta.last = last.base;
    await this.meta.write(meta);
  }
}

/**
 * Entries {@link SegmentLog.write} put in the page cache: counted (readers here see them
 * before the fsync), then synced; a failed sync is undone, then cut (see {@link settleWritten}).
 */
export interface Written {
  /** Counts the entries in the log (synchronous: the caller unbuffers them in the same step). */
  count(): void;
  /** fsyncs the entries (then closes the descriptor). */
  sync(): Promise<void>;
  /** Uncounts the entries (synchronous: readers never see a half-undone log). */
  undo(): void;
  /** Truncates the segment back to before the entries. */
  cut(): Promise<void>;
}

/** A write of no entries: nothing to count, sync or undo. */
export const NOTHING_WRITTEN: Written = {
  count: () => {},
  sync: async () => {},
  undo: () => {},
  cut: async () => {},
};

/**
 * The {@link Written} of `entries` just appended to `segment` through `handle` (still
 * open): `before` is the segment as it was, for undo and cut.
 */
export function writtenBatch(
  handle: FileHandle,
  path: string,
  target: Segment,
  entries: readonly RawEntry[],
  before: { count: number; size: number; index: number },
): Written {
  return {
    count: () => {
      // Several entries were written as one batch frame: its header comes first.
      let position = target.size + (entries.length > 1 ? HEADER_BYTES : 0);
      for (const entry of entries) {
        if (target.count % INDEX_EVERY === 0) target.index.push(position);
        position += HEADER_BYTES + 16 + Buffer.byteLength(entry.text, "utf8");
        target.count++;
      }
      target.size = position;
    },
    // The descriptor that wrote stays open until the fsync: it is the one a writeback
    // error is reported to.
    sync: async () => {
      try {
        await handle.datasync();
      } catch (err) {
        throw fsError(err, "appending to", path);
      } finally {
        await handle.close().catch(() => {});
      }
    },
    undo: () => {
      target.count = before.count;
      target.size = before.size;
      target.index.length = before.index;
    },
    cut: () => truncate(path, before.size).catch(() => {}),
  };
}

/** Counts what {@link SegmentLog.write} wrote, then fsyncs it (uncounting and cutting it off if that fails). */
export async function settleWritten(written: Written): Promise<void> {
  written.count();
  try {
    await written.sync();
  } catch (err) {
    written.undo();
    await written.cut();
    throw err;
  }
}
