-- Record store: one table for every collection (`ns`); content and metadata are JSON
-- text queried with json_extract / json_type. Times are epoch ms.
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
  PRIMARY KEY (ns, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS core_records_natural_key ON core_records (ns, natural_key);
-- One index per built-in ordering, across layers and within one, so a page in any of
-- them is an index range scan (O(log n + page)), never a sort. Ties sort by id ascending
-- in both directions, so a descending time order has its own index (a reverse scan
-- would give ties by id descending); natural keys are unique, so one index serves both
-- directions. Files created before these existed gain them on open (IF NOT EXISTS).
CREATE INDEX IF NOT EXISTS core_records_layer ON core_records (ns, layer, id);
CREATE INDEX IF NOT EXISTS core_records_layer_natural_key ON core_records (ns, layer, natural_key);
CREATE INDEX IF NOT EXISTS core_records_created ON core_records (ns, created_at, id);
CREATE INDEX IF NOT EXISTS core_records_created_desc ON core_records (ns, created_at DESC, id);
CREATE INDEX IF NOT EXISTS core_records_layer_created ON core_records (ns, layer, created_at, id);
CREATE INDEX IF NOT EXISTS core_records_layer_created_desc ON core_records (ns, layer, created_at DESC, id);
CREATE INDEX IF NOT EXISTS core_records_updated ON core_records (ns, updated_at, id);
CREATE INDEX IF NOT EXISTS core_records_updated_desc ON core_records (ns, updated_at DESC, id);
CREATE INDEX IF NOT EXISTS core_records_layer_updated ON core_records (ns, layer, updated_at, id);
CREATE INDEX IF NOT EXISTS core_records_layer_updated_desc ON core_records (ns, layer, updated_at DESC, id);
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
