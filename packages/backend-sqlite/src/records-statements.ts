import type { Layer, StoredRecord } from "@core/protocols";

// The fixed statements of a record store; statements built from queries are in records-sql.ts.
const COLUMNS = "id, natural_key, layer, content, metadata, created_at, updated_at, version";
export const BY_ID = `SELECT ${COLUMNS} FROM core_records WHERE ns = ? AND id = ?`;
export const BY_ID_LAYER = `SELECT ${COLUMNS} FROM core_records WHERE ns = ? AND id = ? AND layer = ?`;
/** What a write needs to know of the current row (not its JSON). */
export const CURRENT =
  "SELECT natural_key, layer, created_at, updated_at, version FROM core_records WHERE ns = ? AND id = ?";
export const BY_KEY = `SELECT ${COLUMNS} FROM core_records WHERE ns = ? AND natural_key = ?`;
export const OWNER = "SELECT id FROM core_records WHERE ns = ? AND natural_key = ?";
export const INSERT = `INSERT INTO core_records (ns, ${COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER))`;
/**
 * The common `store()` in one statement, no explicit transaction: insert a new id, or
 * update one whose natural key and layer stay (content, metadata, a monotonic updated_at,
 * the next version). No row back means the slow path must decide (the natural key or
 * layer changes); a natural key owned by another id fails on its unique index.
 */
export const UPSERT = `INSERT INTO core_records (ns, ${COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), 1)
  ON CONFLICT (ns, id) DO UPDATE SET content = excluded.content, metadata = excluded.metadata,
    updated_at = max(excluded.updated_at, core_records.updated_at), version = core_records.version + 1
  WHERE core_records.natural_key = excluded.natural_key AND core_records.layer = excluded.layer
  RETURNING created_at, updated_at, version`;
// Updates name only the columns they change: SQLite maintains every index whose columns
// appear in SET, so rewriting an unchanged natural_key or layer would rewrite (and log to
// the WAL) their index pages on every store.
export const UPDATE_CONTENT = `UPDATE core_records SET content = ?, metadata = ?, updated_at = CAST(? AS INTEGER),
  version = CAST(? AS INTEGER) WHERE ns = ? AND id = ?`;
export const UPDATE_ALL = `UPDATE core_records SET natural_key = ?, layer = ?, content = ?, metadata = ?,
  updated_at = CAST(? AS INTEGER), version = CAST(? AS INTEGER) WHERE ns = ? AND id = ?`;
/** An update keeping the caller's own timestamps (`preserveTimestamps`): created_at too. */
export const UPDATE_PRESERVED = `UPDATE core_records SET natural_key = ?, layer = ?, content = ?, metadata = ?,
  created_at = CAST(? AS INTEGER), updated_at = CAST(? AS INTEGER), version = CAST(? AS INTEGER) WHERE ns = ? AND id = ?`;
export const DELETE = "DELETE FROM core_records WHERE ns = ? AND id = ?";
export const DELETE_LAYER = "DELETE FROM core_records WHERE ns = ? AND id = ? AND layer = ?";
export const FIRST_SIGHTING = "INSERT INTO core_first_sightings (ns, natural_key) VALUES (?, ?) ON CONFLICT DO NOTHING";
export const ADD_SIGHTING = `INSERT INTO core_sightings (ns, natural_key, source, seen_at, metadata, content_hash)
  VALUES (?, ?, ?, CAST(? AS INTEGER), ?, ?)`;
export const SIGHTINGS = `SELECT natural_key, source, seen_at, metadata, content_hash FROM core_sightings
  WHERE ns = ? AND natural_key = ? ORDER BY seen_at, seq`;
export const CLEAR = [
  "DELETE FROM core_sightings WHERE ns = ?",
  "DELETE FROM core_first_sightings WHERE ns = ?",
  "DELETE FROM core_records WHERE ns = ?",
];

/** A `core_records` row as the statements above read it. */
export interface RecordRow {
  id: string;
  natural_key: string;
  layer: Layer;
  content: string;
  metadata: string;
  created_at: number;
  updated_at: number;
  version: number;
}

/** What a write reads of the current row. */
export type CurrentRow = Pick<RecordRow, "natural_key" | "layer" | "created_at" | "updated_at" | "version">;

/**
 * Turns a row into the record callers see (JSON parsed, times as Dates).
 *
 * @example
 * ```ts
 * const record = toRecord(shared.prepare(BY_ID).get(name, id) as RecordRow);
 * ```
 */
export function toRecord(row: RecordRow): StoredRecord {
  return {
    id: row.id,
    naturalKey: row.natural_key,
    layer: row.layer,
    content: JSON.parse(row.content),
    metadata: JSON.parse(row.metadata),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: row.version,
  };
}
