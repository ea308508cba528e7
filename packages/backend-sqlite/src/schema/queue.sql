-- Queue: one log table for every topic; bucket i of topic t is topic t || char(0) || i.
-- The next offset is max(seq) + 1; `core_queue_topics` records where trim left a topic
-- (its first offset, and the next one in case the log is now empty), so offsets stay
-- dense and are never reused. Version 2: version 1 also bumped next_offset on every put
-- (a v1 release would hand out offsets from a stale counter, so it must refuse a v2 file).
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
-- Group streams: each group's claim record (next offset handed out, claims in flight), a
-- text the protocol layer owns and swaps with compare-and-set.
CREATE TABLE IF NOT EXISTS core_queue_group_states (
  topic TEXT NOT NULL,
  grp TEXT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (topic, grp)
) WITHOUT ROWID;
