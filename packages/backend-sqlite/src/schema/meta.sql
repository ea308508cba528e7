-- Bookkeeping of @core/backend-sqlite. Each protocol's schema has a version here so a
-- later release can migrate from it; `PRAGMA user_version` stays free for the user's own
-- migrations (the sql() protocol shares this database).
CREATE TABLE IF NOT EXISTS core_meta (
  name TEXT PRIMARY KEY,
  version INTEGER NOT NULL
) WITHOUT ROWID;
