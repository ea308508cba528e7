-- Transport outbox: messages per channel with a dense sequence, idempotency keys with
-- their expiry, durable group positions and claims (a message a group member is
-- handling; an expired or released claim is handed out again). `not_before`: the time a
-- delayed message (send's delayMs) may be delivered from, or null.
CREATE TABLE IF NOT EXISTS core_outbox_channels (
  channel TEXT PRIMARY KEY,
  next_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS core_outbox (
  channel TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  payload TEXT NOT NULL,
  headers TEXT NOT NULL,
  published_at REAL NOT NULL,
  idempotency_key TEXT,
  not_before INTEGER,
  PRIMARY KEY (channel, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS core_outbox_dedup (
  channel TEXT NOT NULL,
  key TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (channel, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS core_outbox_dedup_expiry ON core_outbox_dedup (channel, expires_at);
CREATE TABLE IF NOT EXISTS core_outbox_groups (
  channel TEXT NOT NULL,
  grp TEXT NOT NULL,
  next_seq INTEGER NOT NULL,
  PRIMARY KEY (channel, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS core_outbox_claims (
  channel TEXT NOT NULL,
  grp TEXT NOT NULL,
  seq INTEGER NOT NULL,
  lease_until INTEGER NOT NULL,
  PRIMARY KEY (channel, grp, seq)
) WITHOUT ROWID;
