-- Record store: one table for every collection (`ns`); content and metadata are JSON
-- text queried with json_extract / json_type. Times are epoch ms.
-- A rowid table (version 2; version 1 was WITHOUT ROWID keyed by (ns, id)): rows carry
-- JSON content, far over the ~1/20 of a page where WITHOUT ROWID pays off, and every row
-- a secondary index finds is then a descent of a short integer-keyed B-tree instead of a
-- deep text-keyed one (a page of 100 in a naturalKey/createdAt/updatedAt order at 1M
-- records: 790–980 → 470–580 µs CPU, 2.1–3.1× → 1.3–2.0× its 1k cost; README, Large stores).
-- UNIQUE (ns, id) keeps the upserts' ON CONFLICT (ns, id) target and serves the id orders.
CREATE TABLE IF NOT EXISTS core_records (
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
CREATE UNIQUE INDEX IF NOT EXISTS core_records_natural_key ON core_records (ns, natural_key);
-- One index per built-in ordering, across layers and within one, so a page in any of
-- them is an index range scan (O(log n + page)), never a sort. Ties sort by id in the
-- ordering's direction, so each index serves both directions (a descending page is a
-- reverse scan). Files created before these existed gain them on open (IF NOT EXISTS).
CREATE INDEX IF NOT EXISTS core_records_layer ON core_records (ns, layer, id);
CREATE INDEX IF NOT EXISTS core_records_layer_natural_key ON core_records (ns, layer, natural_key);
CREATE INDEX IF NOT EXISTS core_records_created ON core_records (ns, created_at, id);
CREATE INDEX IF NOT EXISTS core_records_layer_created ON core_records (ns, layer, created_at, id);
CREATE INDEX IF NOT EXISTS core_records_updated ON core_records (ns, updated_at, id);
CREATE INDEX IF NOT EXISTS core_records_layer_updated ON core_records (ns, layer, updated_at, id);
-- Descending time indexes of files created while descending ties sorted by id ascending:
-- nothing reads them now, and every write would still pay for them.
DROP INDEX IF EXISTS core_records_created_desc;
DROP INDEX IF EXISTS core_records_layer_created_desc;
DROP INDEX IF EXISTS core_records_updated_desc;
DROP INDEX IF EXISTS core_records_layer_updated_desc;
-- The first sighting of a natural key: its primary key makes "exactly one caller wins"
-- hold across processes (INSERT … ON CONFLICT DO NOTHING).
CREATE TABLE IF NOT EXISTS core_first_sightings (
  ns TEXT NOT NULL,
  natural_key TEXT NOT NULL,
  PRIMARY KEY (ns, natural_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS core_sightings (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ns TEXT NOT NULL,
  natural_key TEXT NOT NULL,
  source TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  content_hash TEXT
);
CREATE INDEX IF NOT EXISTS core_sightings_key ON core_sightings (ns, natural_key, seen_at, seq);
-- Planner statistics for core_records while ANALYZE has never measured it: the shape of a
-- large store (one collection, three layers, unique ids and natural keys, near-unique
-- times). Without any, SQLite takes `ns = ?` as selective and answers a filter no index
-- serves (content/metadata) by looking up every row of the collection through an index —
-- 4 s instead of a 0.5 s scan at 1M records. Hand-made sqlite_stat1 rows are SQLite's own
-- documented way to steer the planner; ANALYZE or PRAGMA optimize replaces them with
-- measured ones, and rows that exist are never touched.
ANALYZE sqlite_schema;
INSERT INTO sqlite_stat1 (tbl, idx, stat)
  SELECT 'core_records', column1, column2 FROM (VALUES
    ('sqlite_autoindex_core_records_1', '1000000 1000000 1'),
    ('core_records_natural_key', '1000000 1000000 1'),
    ('core_records_layer', '1000000 1000000 333333 1'),
    ('core_records_layer_natural_key', '1000000 1000000 333333 1'),
    ('core_records_created', '1000000 1000000 2 1'),
    ('core_records_layer_created', '1000000 1000000 333333 2 1'),
    ('core_records_updated', '1000000 1000000 2 1'),
    ('core_records_layer_updated', '1000000 1000000 333333 2 1'))
  WHERE NOT EXISTS (SELECT 1 FROM sqlite_stat1 WHERE tbl = 'core_records');
ANALYZE sqlite_schema;
