import type { OnConflict, StoredRecord } from "@core/protocols";
import type { NormalizedRecordInput } from "@core/protocols/kit";
import { upsertedRecord } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import { sqliteRecordDialect } from "./records-dialect.js";
import type { SqliteShared } from "./shared.js";

const COLUMNS = sqliteRecordDialect.select;
/** What a write needs to know of the current row (not its JSON). */
const CURRENT = "SELECT natural_key, layer, created_at, updated_at, version FROM core_records WHERE ns = ? AND id = ?";
const OWNER = "SELECT id FROM core_records WHERE ns = ? AND natural_key = ?";
const INSERT = `INSERT INTO core_records (ns, ${COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER))`;
// The common `store()` in one statement, no explicit transaction: insert a new id, or
// update one whose natural key and layer stay. No row back means the slow path must decide
// (the natural key or layer changes); a natural key owned by another id fails on its index.
const UPSERT = `INSERT INTO core_records (ns, ${COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), 1)
  ON CONFLICT (ns, id) DO UPDATE SET content = excluded.content, metadata = excluded.metadata,
    updated_at = max(excluded.updated_at, core_records.updated_at), version = core_records.version + 1
  WHERE core_records.natural_key = excluded.natural_key AND core_records.layer = excluded.layer
  RETURNING created_at, updated_at, version`;
// Updates name only the columns they change: SQLite maintains every index whose columns
// appear in SET, so rewriting an unchanged natural_key or layer would rewrite (and log to
// the WAL) their index pages on every store.
const UPDATE_CONTENT = `UPDATE core_records SET content = ?, metadata = ?, updated_at = CAST(? AS INTEGER),
  version = CAST(? AS INTEGER) WHERE ns = ? AND id = ?`;
const UPDATE_ALL = `UPDATE core_records SET natural_key = ?, layer = ?, content = ?, metadata = ?,
  updated_at = CAST(? AS INTEGER), version = CAST(? AS INTEGER) WHERE ns = ? AND id = ?`;
/** An update keeping the caller's own timestamps (`preserveTimestamps`): created_at too. */
const UPDATE_PRESERVED = `UPDATE core_records SET natural_key = ?, layer = ?, content = ?, metadata = ?,
  created_at = CAST(? AS INTEGER), updated_at = CAST(? AS INTEGER), version = CAST(? AS INTEGER) WHERE ns = ? AND id = ?`;

interface CurrentRow {
  natural_key: string;
  layer: string;
  created_at: number;
  updated_at: number;
  version: number;
}

/** What a write did to one record. */
export type WriteOutcome = "inserted" | "updated" | "skipped";

/**
 * Inserts or updates one validated record of collection `name`; call inside the write
 * transaction. The shared `upsertedRecord` rules decide (versions, natural-key ownership,
 * `onConflict`, monotonic `updatedAt`); this rewrites only the columns that change.
 */
export function writeRecord(
  shared: SqliteShared,
  name: string,
  input: NormalizedRecordInput,
  onConflict: OnConflict,
  now: number,
  expectedVersion?: number,
): [WriteOutcome, StoredRecord?] {
  const existing = shared.prepare(CURRENT).get(name, input.id) as CurrentRow | undefined;
  // A record keeping its natural key owns it: only a new or changed key needs the lookup.
  const owner =
    existing?.natural_key === input.naturalKey
      ? input.id
      : (shared.prepare(OWNER).pluck().get(name, input.naturalKey) as string | undefined);
  const current = existing && {
    version: existing.version,
    createdAt: new Date(existing.created_at),
    updatedAt: new Date(existing.updated_at),
  };
  const record = upsertedRecord(BACKEND, input, current, owner, onConflict, expectedVersion, new Date(now));
  if (record === null) return ["skipped"];
  const createdAt = record.createdAt.getTime();
  const updatedAt = record.updatedAt.getTime();
  const content = JSON.stringify(record.content);
  const metadata = JSON.stringify(record.metadata);
  if (existing === undefined) {
    shared
      .prepare(INSERT)
      .run(name, record.id, record.naturalKey, record.layer, content, metadata, createdAt, updatedAt, record.version);
  } else if (input.createdAt !== undefined) {
    shared
      .prepare(UPDATE_PRESERVED)
      .run(record.naturalKey, record.layer, content, metadata, createdAt, updatedAt, record.version, name, record.id);
  } else if (existing.natural_key === record.naturalKey && existing.layer === record.layer) {
    shared.prepare(UPDATE_CONTENT).run(content, metadata, updatedAt, record.version, name, record.id);
  } else {
    shared
      .prepare(UPDATE_ALL)
      .run(record.naturalKey, record.layer, content, metadata, updatedAt, record.version, name, record.id);
  }
  return [existing === undefined ? "inserted" : "updated", record];
}

/**
 * The fast path of `store()` without `expectedVersion`: one atomic statement instead of a
 * transaction of a read and a write. Returns undefined when {@link writeRecord} must decide
 * instead: the record changes its natural key or layer, keeps its own timestamps, or its
 * natural key belongs to another record (the slow path re-reads everything and reports the CONFLICT).
 */
export function upsertRecord(
  shared: SqliteShared,
  name: string,
  input: NormalizedRecordInput,
  now: number,
): StoredRecord | undefined {
  // The caller's own timestamps (preserveTimestamps) are written by the slow path.
  if (input.createdAt !== undefined) return undefined;
  let row: Pick<CurrentRow, "created_at" | "updated_at" | "version"> | undefined;
  try {
    const [content, metadata] = [JSON.stringify(input.content), JSON.stringify(input.metadata)];
    const rows = shared.prepare(UPSERT).all(name, input.id, input.naturalKey, input.layer, content, metadata, now, now);
    row = rows[0] as typeof row;
  } catch (err) {
    if ((err as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE") return undefined;
    throw err;
  }
  if (row === undefined) return undefined;
  return { ...input, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at), version: row.version };
}
