-- records 1 → 2: core_records becomes a rowid table (see records.sql for why). SQLite
-- cannot change that in place, so the rows move to a new table that takes the old one's
-- name; dropping the old table drops its indexes, and records.sql, run right after this
-- in the same transaction, builds them again from the copied rows (a sort per index,
-- faster than maintaining them row by row). Copied in (ns, id) order: rowids follow it.
-- schema.ts runs this with legacy_alter_table on, so the RENAME does not trip over views
-- of the user's naming core_records (dropped a moment before); they read the new table.
-- The table definition is version 2's as of this migration, kept here as written then.
CREATE TABLE core_records_v2 (
  ns TEXT NOT NULL,
  id TEXT NOT NULL,
  natural_key TEXT NOT NULL,
  layer TEXT NOT NULL,
  content TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  UNIQUE (ns, id)
);
INSERT INTO core_records_v2 (ns, id, natural_key, layer, content, metadata, created_at, updated_at, version)
  SELECT ns, id, natural_key, layer, content, metadata, created_at, updated_at, version
  FROM core_records ORDER BY ns, id;
DROP TABLE core_records;
ALTER TABLE core_records_v2 RENAME TO core_records;
