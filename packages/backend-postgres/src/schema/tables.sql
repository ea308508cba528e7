-- Tables of one backend schema. {{schema}} is the quoted schema name and {{unlogged}}
-- is empty or UNLOGGED (cache only). Every statement is idempotent; the opener runs this
-- file inside a transaction holding pg_advisory_xact_lock, so processes starting at the
-- same time never race on the catalog.
CREATE SCHEMA IF NOT EXISTS {{schema}};

-- Cache: one row per live key of a namespace. `key` is COLLATE "C" so the primary key
-- orders bytewise (keyset paging of keys(), LIKE prefix scans). `touched` orders LRU.
CREATE SEQUENCE IF NOT EXISTS {{schema}}.cache_touch;
CREATE {{unlogged}} TABLE IF NOT EXISTS {{schema}}.cache_entries (
  ns text NOT NULL,
  key text COLLATE "C" NOT NULL,
  value text NOT NULL,
  expires_at timestamptz,
  touched bigint NOT NULL,
  PRIMARY KEY (ns, key)
);
CREATE INDEX IF NOT EXISTS cache_entries_expiry ON {{schema}}.cache_entries (ns, expires_at)
  WHERE expires_at IS NOT NULL;
-- No index on `touched`: eviction orders a namespace's rows itself, and an index on a
-- column every write changes would cost each write an index insert and rule out HOT
-- updates. Schemas created before this change drop it.
DROP INDEX IF EXISTS {{schema}}.cache_entries_lru;

-- Queue: the counter row is the per-topic lock that makes offsets dense and commit order
-- equal offset order.
CREATE TABLE IF NOT EXISTS {{schema}}.queue_topics (
  topic text PRIMARY KEY,
  next_offset bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS {{schema}}.queue_entries (
  topic text NOT NULL,
  "offset" bigint NOT NULL,
  value text NOT NULL,
  ts bigint NOT NULL,
  PRIMARY KEY (topic, "offset")
);
CREATE TABLE IF NOT EXISTS {{schema}}.queue_groups (
  topic text NOT NULL,
  grp text NOT NULL,
  next_offset bigint NOT NULL,
  PRIMARY KEY (topic, grp)
);
-- Group streams: each group's claim record, a text the protocol layer owns and swaps with
-- compare-and-set.
CREATE TABLE IF NOT EXISTS {{schema}}.queue_group_states (
  topic text NOT NULL,
  grp text NOT NULL,
  state text NOT NULL,
  PRIMARY KEY (topic, grp)
);

-- Record store.
CREATE TABLE IF NOT EXISTS {{schema}}.records (
  ns text NOT NULL,
  id text COLLATE "C" NOT NULL,
  natural_key text COLLATE "C" NOT NULL,
  layer text NOT NULL,
  content jsonb NOT NULL,
  metadata jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL,
  PRIMARY KEY (ns, id),
  UNIQUE (ns, natural_key)
);
-- One index per built-in ordering, across layers and within one, so a page in any of
-- them is an index range scan (O(log n + page)), never a sort of the collection. Ties
-- sort by id in the ordering's direction, so each index serves both directions (a
-- descending page is a backward scan). Existing schemas gain these indexes on open.
CREATE INDEX IF NOT EXISTS records_layer_id ON {{schema}}.records (ns, layer, id);
CREATE INDEX IF NOT EXISTS records_layer_natural_key ON {{schema}}.records (ns, layer, natural_key);
CREATE INDEX IF NOT EXISTS records_created ON {{schema}}.records (ns, created_at, id);
CREATE INDEX IF NOT EXISTS records_layer_created ON {{schema}}.records (ns, layer, created_at, id);
CREATE INDEX IF NOT EXISTS records_updated ON {{schema}}.records (ns, updated_at, id);
CREATE INDEX IF NOT EXISTS records_layer_updated ON {{schema}}.records (ns, layer, updated_at, id);
-- Descending time indexes of schemas created while descending ties sorted by id
-- ascending: nothing reads them now, and every write would still pay for them.
DROP INDEX IF EXISTS {{schema}}.records_created_desc;
DROP INDEX IF EXISTS {{schema}}.records_layer_created_desc;
DROP INDEX IF EXISTS {{schema}}.records_updated_desc;
DROP INDEX IF EXISTS {{schema}}.records_layer_updated_desc;
-- Equality filters on content/metadata paths add a containment test (`@>`) these serve.
CREATE INDEX IF NOT EXISTS records_content ON {{schema}}.records USING gin (content jsonb_path_ops);
CREATE INDEX IF NOT EXISTS records_metadata ON {{schema}}.records USING gin (metadata jsonb_path_ops);
CREATE TABLE IF NOT EXISTS {{schema}}.sighting_keys (
  ns text NOT NULL,
  natural_key text NOT NULL,
  PRIMARY KEY (ns, natural_key)
);
CREATE TABLE IF NOT EXISTS {{schema}}.sightings (
  ns text NOT NULL,
  natural_key text NOT NULL,
  seq bigserial NOT NULL,
  source text NOT NULL,
  seen_at timestamptz NOT NULL,
  metadata jsonb NOT NULL,
  content_hash text,
  PRIMARY KEY (ns, natural_key, seq)
);

-- Transport: an outbox per channel with a counter row (same ordering rule as the queue),
-- group positions, and idempotency keys with their expiry.
CREATE TABLE IF NOT EXISTS {{schema}}.transport_channels (
  channel text PRIMARY KEY,
  next_seq bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS {{schema}}.transport_messages (
  channel text NOT NULL,
  seq bigint NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (channel, seq)
);
CREATE TABLE IF NOT EXISTS {{schema}}.transport_groups (
  channel text NOT NULL,
  grp text NOT NULL,
  next_seq bigint NOT NULL,
  PRIMARY KEY (channel, grp)
);
CREATE TABLE IF NOT EXISTS {{schema}}.transport_dedup (
  channel text NOT NULL,
  key text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (channel, key)
);
