import type { RawDriver, RawEntry, RawRecord } from "./types.js";

function lowerBound(sorted: readonly string[], id: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Baseline of the memory backend: a `Map` for the cache and records, an array for the
 * queue, holding encoded text (the same copy-on-write/copy-on-read our backend makes), a
 * natural-key map (uniqueness, as every store enforces) and a sorted id array for keyset pages.
 *
 * @example
 * ```ts
 * const raw = openRawMemory();
 * ```
 */
export function openRawMemory(): RawDriver {
  const cache = new Map<string, string>();
  const log: RawEntry[] = [];
  const records = new Map<string, RawRecord>();
  // naturalKey → id: the uniqueness every record store enforces (the SQL baselines' unique index).
  const naturalKeys = new Map<string, string>();
  const ids: string[] = [];
  const store = (r: RawRecord): RawRecord => {
    const old = records.get(r.id);
    const owner = naturalKeys.get(r.naturalKey);
    if (owner !== undefined && owner !== r.id) throw new Error(`naturalKey ${r.naturalKey} belongs to ${owner}`);
    if (old && old.naturalKey !== r.naturalKey) naturalKeys.delete(old.naturalKey);
    if (owner === undefined) naturalKeys.set(r.naturalKey, r.id);
    const row = { ...r, version: (old?.version ?? 0) + 1, createdAt: old?.createdAt ?? r.createdAt };
    if (!old) {
      if (ids.length === 0 || ids[ids.length - 1]! < r.id) ids.push(r.id);
      else ids.splice(lowerBound(ids, r.id), 0, r.id);
    }
    records.set(r.id, row);
    return { ...row };
  };
  return {
    description:
      "`Map` / array holding the codec's text (same copies as ours); records also keep a natural-key map and a sorted id array",
    cacheGet: (key) => cache.get(key),
    cacheGetMany: (keys) => keys.map((k) => cache.get(k)),
    cacheSet: (key, text) => void cache.set(key, text),
    cacheSetMany: (entries) => {
      for (const [k, v] of entries) cache.set(k, v);
    },
    queuePut: (text) => log.push({ offset: log.length, text, timestamp: Date.now() }) - 1,
    queuePutBatch: (texts) => {
      const first = log.length;
      const now = Date.now();
      for (const text of texts) log.push({ offset: log.length, text, timestamp: now });
      return first;
    },
    queueGet: (offset, limit) => log.slice(offset, offset + limit).map((e) => ({ ...e })),
    recordStore: store,
    recordStoreBatch: (rows) => {
      for (const r of rows) store(r);
    },
    recordGet: (id) => {
      const r = records.get(id);
      return r && { ...r };
    },
    recordQuery: (afterId, limit) => {
      const start = afterId === null ? 0 : lowerBound(ids, afterId);
      return ids.slice(start, start + limit).map((id) => ({ ...records.get(id)! }));
    },
    close: async () => {
      cache.clear();
      records.clear();
      naturalKeys.clear();
    },
  };
}
