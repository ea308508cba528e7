import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { RawDriver, RawEntry, RawRecord } from "./types.js";

const HEADER = 16; // length (4) + timestamp (8) + reserved (4)

/**
 * Baseline of the file backend with plain `fs`: a cache file per key (hashed name,
 * written to a temp file, fsynced, renamed — the crash safety the file backend
 * promises), the queue as one append-only segment with length-prefixed records and an
 * in-memory offset index (written to the page cache; no fsync per put, like a group
 * commit), records as an append-only JSON-lines log with an in-memory index.
 *
 * @example
 * ```ts
 * const raw = openRawFile("/tmp/bench-file");
 * ```
 */
export function openRawFile(directory: string): RawDriver {
  const cacheDir = join(directory, "cache");
  mkdirSync(cacheDir, { recursive: true });
  const path = (key: string) => join(cacheDir, createHash("sha256").update(key).digest("hex"));
  let tmp = 0;
  const write = async (key: string, text: string) => {
    const temp = join(cacheDir, `.tmp-${process.pid}-${tmp++}`);
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, path(key));
  };
  const read = async (key: string) => {
    try {
      return await readFile(path(key), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  };

  const segment = openSync(join(directory, "queue.seg"), "a+");
  const positions: number[] = [];
  let size = 0;
  const append = (texts: readonly string[]) => {
    const now = Date.now();
    const first = positions.length;
    const parts: Buffer[] = [];
    for (const text of texts) {
      const body = Buffer.from(text, "utf8");
      const head = Buffer.alloc(HEADER);
      head.writeUInt32LE(body.length, 0);
      head.writeDoubleLE(now, 4);
      positions.push(size);
      size += HEADER + body.length;
      parts.push(head, body);
    }
    writeSync(segment, Buffer.concat(parts));
    return first;
  };
  const readEntries = (offset: number, limit: number): RawEntry[] => {
    const end = Math.min(positions.length, offset + limit);
    if (offset >= end) return [];
    const start = positions[offset]!;
    const stop = end < positions.length ? positions[end]! : size;
    const buffer = Buffer.alloc(stop - start);
    readSync(segment, buffer, 0, buffer.length, start);
    const out: RawEntry[] = [];
    for (let at = 0, o = offset; at < buffer.length; o++) {
      const length = buffer.readUInt32LE(at);
      out.push({ offset: o, timestamp: buffer.readDoubleLE(at + 4), text: buffer.toString("utf8", at + HEADER, at + HEADER + length) });
      at += HEADER + length;
    }
    return out;
  };

  const recordLog = openSync(join(directory, "records.log"), "a");
  const records = new Map<string, string>();
  const ids: string[] = [];
  const store = (r: RawRecord): RawRecord => {
    const old = records.get(r.id);
    const prev = old === undefined ? undefined : (JSON.parse(old) as RawRecord);
    const row = { ...r, version: (prev?.version ?? 0) + 1, createdAt: prev?.createdAt ?? r.createdAt };
    const line = JSON.stringify(row);
    if (!prev) ids.push(r.id);
    records.set(r.id, line);
    return row;
  };
  const storeLines = (rows: readonly RawRecord[]) => {
    const lines = rows.map((r) => records.get(store(r).id)!).join("\n");
    writeSync(recordLog, `${lines}\n`);
  };
  const lowerBound = (id: string) => {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    description:
      "`fs`: cache = file per hashed key (temp + fdatasync + rename); queue = length-prefixed segment append + offset index; records = JSON-lines log + in-memory index",
    cacheGet: read,
    cacheGetMany: (keys) => Promise.all(keys.map(read)),
    cacheSet: write,
    cacheSetMany: async (entries) => {
      await Promise.all(entries.map(([k, v]) => write(k, v)));
    },
    queuePut: (text) => append([text]),
    queuePutBatch: append,
    queueGet: readEntries,
    recordStore: (r) => {
      const row = store(r);
      writeSync(recordLog, `${records.get(r.id)!}\n`);
      return row;
    },
    recordStoreBatch: (rows) => {
      storeLines(rows);
    },
    recordGet: (id) => {
      const line = records.get(id);
      return line === undefined ? undefined : (JSON.parse(line) as RawRecord);
    },
    recordQuery: (afterId, limit) => {
      const start = afterId === null ? 0 : lowerBound(afterId);
      // ids arrive in ascending order in every scenario; a real index would keep them sorted.
      return ids.slice(start, start + limit).map((id) => JSON.parse(records.get(id)!) as RawRecord);
    },
    close: async () => {
      closeSync(segment);
      closeSync(recordLog);
    },
  };
}
