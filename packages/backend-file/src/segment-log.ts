import { existsSync } from "node:fs";
import { open, readdir, truncate, unlink } from "node:fs/promises";
import { join, sep } from "node:path";
import { ensureDirectory, FILE_MODE, syncDirectory, writeAll } from "./atomic-write.js";
import { type DamagedRecordHandler, DamageReports } from "./damage.js";
import { fsError } from "./errors.js";
import { encodeRecords } from "./frames.js";
import { encodeEntry, type RawEntry, SEGMENT, type Segment, scanSegment, segmentName } from "./queue-segment.js";
import { SegmentReader } from "./queue-segment-reader.js";
import { type TopicMeta, TopicMetaFile } from "./topic-meta.js";
import { NOTHING_WRITTEN, type Written, writtenBatch } from "./written-batch.js";

/**
 * The files of one topic (or bucket): append-only segments `seg-<base offset>.log` whose
 * entries are framed with length and CRC32 and carry their own offset, a sparse in-memory
 * index per segment (one position every 16 entries: a read finds its segment and its
 * starting point by binary search), and `meta.json` (first kept offset, consumer groups)
 * replaced atomically. Only the holder of the topic's lock appends, trims or truncates a
 * torn tail; readers in other processes catch up by scanning what was appended.
 *
 * @example
 * ```ts
 * const log = new SegmentLog("/data/queue/ab12…", { segmentBytes: 8 << 20, what: "queue events" });
 * await log.refresh(true);
 * await settleWritten(await log.write([{ offset: log.next, timestamp: Date.now(), text: '"a"' }]), true);
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
    await ensureDirectory(this.dir).catch((err) => {
      throw fsError(err, "creating", this.dir);
    });
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
      await this.#scan(segment, locked && last);
      if (!last) segment.sealed = true;
    }
  }

  /**
   * The first kept offset when nothing was appended or trimmed since the last scan, else
   * `undefined`; two syscalls instead of a directory listing. Nothing was appended when the
   * last segment (an inode only ever appended to, never deleted while last) has no byte
   * past the size scanned, a one-byte read on its open descriptor, and no newer segment
   * exists: `meta.json` (one `fstat`, which also shows a trim) still names it as `last`,
   * since writers name a segment there before appending to it. A `meta.json` without that
   * mark (none yet, or from an older writer) costs a check for `seg-<next>` instead.
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
   * Writes entries to the page cache (the caller holds the lock and refreshed under it);
   * rotates to a new segment once the current one passes `segmentBytes`. The caller counts
   * them ({@link Written.count}: readers of this process see them before the fsync), then
   * runs {@link Written.sync}, keeping the lock and writing nothing more to this log until
   * it settled; if that fails, {@link Written.undo} then {@link Written.cut}. A failed write
   * is cut back to the last whole entry here and counts nothing.
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
        await (await open(created, "a", FILE_MODE)).close();
        await syncDirectory(this.dir);
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

  async #scan(segment: Segment, locked: boolean): Promise<void> {
    await scanSegment(this.dir, segment, locked, this.#what, {
      truncated: (bytes) => {
        this.truncatedBytes += bytes;
      },
      damaged: (file, store, position, bytes) => this.#damage.report({ store, file, position, bytes }),
    });
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
