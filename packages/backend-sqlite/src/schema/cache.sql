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
