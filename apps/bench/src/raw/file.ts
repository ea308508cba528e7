import { closeSync, fdatasyncSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RawDriver, RawEntry, RawRecord } from "./types.js";

const HEADER = 16; // length (4) + timestamp (8) + reserved (4)

/**
 * Baseline of the file backend with plain `fs`, same durability as ours: the cache as an
 * append-only journal (no fsync) replayed into a `Map`; the queue as one append-only
 * segment with length-prefixed records and an in-memory offset index (page cache, no
 * fsync per put: fdatasync per 1000 entries or 5 ms, like our group commit); records as an append-only JSON-lines log with
 * `fdatasync` per write and an in-memory index. No lock file: ours pays for cross-process
 * safety, the baseline does not.
 *
 * @example
 * ```ts
 * const raw = openRawFile("/tmp/bench-file");
 * ```
 */
export function openRawFile(directory: string): RawDriver {
  // Like the file backend's cache: an append-only journal (no fsync) replayed into memory.
  const cacheLog = openSync(join(directory, "cache.log"), "a");
  const cache = new Map<string, string>();
  const journal = (entries: readonly (readonly [string, string])[]) => {
    let text = "";
    for (const [key, value] of entries) {
      cache.set(key, value);
      text += `${JSON.stringify([key, value, null])}\n`;
    }
    writeSync(cacheLog, text);
  };

  const segment = openSync(join(directory, "queue.seg"), "a+");
  const positions: number[] = [];
  let size = 0;
  // Group commit like ours (batchSize 1000, flushIntervalMs 5): fdatasync once 1000 entries
  // or 5 ms have gone by since the last one.
  let unsynced = 0;
  let syncedAt = performance.now();
  const groupCommit = (count: number) => {
    unsynced += count;
    if (unsynced < 1000 && performance.now() - syncedAt < 5) return;
    fdatasyncSync(segment);
    unsynced = 0;
    syncedAt = performance.now();
  };
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
    groupCommit(texts.length);
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
      out.push({
        offset: o,
        timestamp: buffer.readDoubleLE(at + 4),
        text: buffer.toString("utf8", at + HEADER, at + HEADER + length),
      });
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
      "`fs`: cache = append-only journal (no fsync) + `Map`; queue = length-prefixed segment append + offset index (fdatasync per 1000 entries or 5 ms, like our group commit); records = JSON-lines log, fdatasync per write, + in-memory index; no cross-process lock",
    cacheGet: (key) => cache.get(key),
    cacheGetMany: (keys) => keys.map((k) => cache.get(k)),
    cacheSet: (key, text) => journal([[key, text]]),
    cacheSetMany: journal,
    queuePut: (text) => append([text]),
    queuePutBatch: append,
    queueGet: readEntries,
    recordStore: (r) => {
      const row = store(r);
      writeSync(recordLog, `${records.get(r.id)!}\n`);
      fdatasyncSync(recordLog);
      return row;
    },
    recordStoreBatch: (rows) => {
      storeLines(rows);
      fdatasyncSync(recordLog);
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
      closeSync(cacheLog);
      closeSync(segment);
      closeSync(recordLog);
    },
  };
}
