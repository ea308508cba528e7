-- Cache: one table for every namespace (`ns`). `expires_at` is epoch ms (NULL = never);
-- `accessed` is a per-namespace recency counter for maxEntries (LRU) eviction.
CREATE TABLE IF NOT EXISTS core_cache (
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  expires_at INTEGER,
  accessed INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS core_cache_expiry ON core_cache (ns, expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS core_cache_recency ON core_cache (ns, accessed);
-- Entry counts of the namespaces a maxEntries handle ever wrote (stored and not yet swept
-- entries, live or not), so a write reads its namespace's size with one seek instead of
-- counting it. The first maxEntries write of a namespace counts it once and adds its row;
-- from then on these triggers keep it exact in the same transaction as every insert and
-- delete, whoever runs it (any process or release, a sweep, a user's sql()). In other
-- namespaces the trigger's UPDATE finds no row and writes nothing. An upsert that updates
-- an existing entry fires neither trigger. Additive: older releases ignore the table and
-- their writes still maintain it, so the schema version stays 1.
CREATE TABLE IF NOT EXISTS core_cache_sizes (
  ns TEXT PRIMARY KEY,
  entries INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS core_cache_sizes_insert AFTER INSERT ON core_cache BEGIN
  UPDATE core_cache_sizes SET entries = entries + 1 WHERE ns = NEW.ns;
END;
CREATE TRIGGER IF NOT EXISTS core_cache_sizes_delete AFTER DELETE ON core_cache BEGIN
  UPDATE core_cache_sizes SET entries = entries - 1 WHERE ns = OLD.ns;
END;
