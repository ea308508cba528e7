import { join } from "node:path";
import Database from "better-sqlite3";
import type { RawDriver, RawRecord } from "./types.js";

const SCHEMA = `
create table if not exists cache (key text primary key, value text not null, expires_at integer) without rowid;
create index if not exists cache_expiry on cache (expires_at) where expires_at is not null;
create table if not exists queue (offset integer primary key, value text not null, ts integer not null);
-- A rowid table with a unique id, as ours (@core/backend-sqlite records schema 2): rows
-- holding JSON are too large for WITHOUT ROWID to pay off.
create table if not exists records (
  id text not null unique, natural_key text not null unique, layer text not null,
  content text not null, metadata text not null,
  created_at integer not null, updated_at integer not null, version integer not null
);
-- The indexes our record store keeps (one per built-in ordering, across layers and within
-- one, as in @core/backend-sqlite's schema): a baseline without them would skip index
-- maintenance that any implementation of those queries pays on every write.
create index if not exists records_layer on records (layer, id);
create index if not exists records_layer_natural_key on records (layer, natural_key);
create index if not exists records_created on records (created_at, id);
create index if not exists records_layer_created on records (layer, created_at, id);
create index if not exists records_updated on records (updated_at, id);
create index if not exists records_layer_updated on records (layer, updated_at, id);`;

interface Row {
  id: string;
  natural_key: string;
  layer: string;
  content: string;
  metadata: string;
  created_at: number;
  updated_at: number;
  version: number;
}

const toRecord = (r: Row): RawRecord => ({
  id: r.id,
  naturalKey: r.natural_key,
  layer: r.layer,
  content: r.content,
  metadata: r.metadata,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

/**
 * Baseline of the sqlite backend: the same kind of statements prepared once on
 * better-sqlite3, WAL with `synchronous=NORMAL` (our default), batches in one transaction,
 * expiry checked on read like ours, and the same record table layout as ours (a rowid
 * table, unique id and natural key, every ordering's index, per layer). Other settings
 * stay SQLite's: no mmap, and the auto-checkpoint every 1,000 WAL pages (ours: 4,096, see
 * the backend's pragma defaults).
 *
 * @example
 * ```ts
 * const raw = openRawSqlite("/tmp/bench");
 * ```
 */
export function openRawSqlite(directory: string): RawDriver {
  const db = new Database(join(directory, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  const get = db.prepare<[string], { value: string; expires_at: number | null }>(
    "select value, expires_at from cache where key = ?",
  );
  const getMany = db.prepare<[string], { key: string; value: string; expires_at: number | null }>(
    "select key, value, expires_at from cache where key in (select value from json_each(?))",
  );
  const set = db.prepare(
    "insert into cache (key, value, expires_at) values (?, ?, null) on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at",
  );
  const setMany = db.transaction((entries: readonly (readonly [string, string])[]) => {
    for (const [k, v] of entries) set.run(k, v);
  });
  const put = db.prepare(
    "insert into queue (offset, value, ts) values ((select coalesce(max(offset) + 1, 0) from queue), ?, ?)",
  );
  const putBatch = db.transaction((texts: readonly string[]) => {
    const first = Number(put.run(texts[0]!, Date.now()).lastInsertRowid);
    for (let i = 1; i < texts.length; i++) put.run(texts[i]!, Date.now());
    return first;
  });
  const range = db.prepare<[number, number], { offset: number; value: string; ts: number }>(
    "select offset, value, ts from queue where offset >= ? order by offset limit ?",
  );
  // As ours: the common upsert rewrites only the columns that change (SQLite maintains
  // every index whose columns appear in SET); a record moving its natural key or layer
  // takes the full update.
  const upsert = db.prepare<unknown[], Row>(
    `insert into records (id, natural_key, layer, content, metadata, created_at, updated_at, version)
     values (?, ?, ?, ?, ?, ?, ?, 1)
     on conflict (id) do update set content = excluded.content, metadata = excluded.metadata,
       updated_at = excluded.updated_at, version = records.version + 1
     where records.natural_key = excluded.natural_key and records.layer = excluded.layer
     returning *`,
  );
  const moved = db.prepare<unknown[], Row>(
    `update records set natural_key = ?, layer = ?, content = ?, metadata = ?, updated_at = ?, version = version + 1
     where id = ? returning *`,
  );
  // `.all`, not `.get`: a RETURNING write outside a transaction commits when the statement
  // finishes, and `.get` resets it after the first row instead. The commit then still
  // happens, but its error (a full disk) is never reported and SQLite skips the WAL
  // auto-checkpoint that only follows a statement run to its end: the WAL grows without
  // bound (5,000 stores: a 208 MB WAL and nothing checkpointed). Ours runs them with
  // `.all` for both reasons; so must a fair baseline.
  const store = (r: RawRecord) =>
    toRecord(
      upsert.all(r.id, r.naturalKey, r.layer, r.content, r.metadata, r.createdAt, r.updatedAt)[0] ??
        moved.all(r.naturalKey, r.layer, r.content, r.metadata, r.updatedAt, r.id)[0]!,
    );
  const storeBatch = db.transaction((rows: readonly RawRecord[]) => {
    for (const r of rows) store(r);
  });
  const byId = db.prepare<[string], Row>("select * from records where id = ?");
  const first = db.prepare<[number], Row>("select * from records order by id limit ?");
  const after = db.prepare<[string, number], Row>("select * from records where id > ? order by id limit ?");
  const live = (e: number | null) => e === null || e > Date.now();
  return {
    description:
      "better-sqlite3 prepared statements, WAL + synchronous=NORMAL, SQLite's auto-checkpoint (1,000 pages; ours 4,096), batches in one transaction; records in a rowid table with the same indexes as ours (id unique, natural-key unique + 6 ordering indexes) and upsert only the changed columns",
    cacheGet: (key) => {
      const row = get.get(key);
      return row && live(row.expires_at) ? row.value : undefined;
    },
    cacheGetMany: (keys) => {
      const found = new Map<string, string>();
      for (const row of getMany.all(JSON.stringify(keys))) if (live(row.expires_at)) found.set(row.key, row.value);
      return keys.map((k) => found.get(k));
    },
    cacheSet: (key, text) => void set.run(key, text),
    cacheSetMany: (entries) => setMany(entries),
    queuePut: (text) => Number(put.run(text, Date.now()).lastInsertRowid),
    queuePutBatch: (texts) => putBatch(texts),
    queueGet: (offset, limit) =>
      range.all(offset, limit).map((r) => ({ offset: r.offset, text: r.value, timestamp: r.ts })),
    recordStore: store,
    recordStoreBatch: (rows) => storeBatch(rows),
    recordGet: (id) => {
      const row = byId.get(id);
      return row && toRecord(row);
    },
    recordQuery: (afterId, limit) => (afterId === null ? first.all(limit) : after.all(afterId, limit)).map(toRecord),
    close: async () => void db.close(),
  };
}
