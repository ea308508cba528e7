-- Queue: one log table for every topic; bucket i of topic t is topic t || char(0) || i.
-- `core_queue_topics` holds the next offset, so offsets stay dense and survive trim.
CREATE TABLE IF NOT EXISTS core_queue_topics (
  topic TEXT PRIMARY KEY,
  next_offset INTEGER NOT NULL,
  first_offset INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS core_queue (
  topic TEXT NOT NULL,
  seq INTEGER NOT NULL,
  value TEXT NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY (topic, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS core_queue_groups (
  topic TEXT NOT NULL,
  grp TEXT NOT NULL,
  next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, grp)
) WITHOUT ROWID;
