/** A record row as a raw driver stores it: content and metadata as JSON text. */
export interface RawRecord {
  id: string;
  naturalKey: string;
  layer: string;
  content: string;
  metadata: string;
  createdAt: number;
  updatedAt: number;
  version: number;
}

/** One queue entry as a raw driver returns it: the encoded value and its append time. */
export interface RawEntry {
  offset: number;
  text: string;
  timestamp: number;
}

/**
 * The same operations as our protocols, written directly against a driver. Values arrive
 * already encoded (the scenario layer runs the codec on both sides), so a ratio compares
 * the storage path only.
 *
 * @example
 * ```ts
 * const raw = await openRawSqlite(dir);
 * raw.cacheSet("k", defaultCodec.encode({ a: 1 }));
 * ```
 */
export interface RawDriver {
  /** What the baseline is, for the report (driver, durability, statements). */
  readonly description: string;
  cacheGet(key: string): Promise<string | undefined> | string | undefined;
  cacheGetMany(keys: readonly string[]): Promise<(string | undefined)[]> | (string | undefined)[];
  cacheSet(key: string, text: string): Promise<void> | void;
  cacheSetMany(entries: readonly (readonly [string, string])[]): Promise<void> | void;
  queuePut(text: string): Promise<number> | number;
  queuePutBatch(texts: readonly string[]): Promise<number> | number;
  queueGet(offset: number, limit: number): Promise<RawEntry[]> | RawEntry[];
  recordStore(record: RawRecord): Promise<RawRecord> | RawRecord;
  recordStoreBatch(records: readonly RawRecord[]): Promise<void> | void;
  recordGet(id: string): Promise<RawRecord | undefined> | RawRecord | undefined;
  /** Keyset page: ids strictly after `afterId` (all when null), ascending. */
  recordQuery(afterId: string | null, limit: number): Promise<RawRecord[]> | RawRecord[];
  close(): Promise<void>;
}
