import type Database from "better-sqlite3";

/**
 * `core_records` as releases up to records schema version 1 created it (WITHOUT ROWID,
 * keyed by (ns, id)), copied verbatim from that release's schema/records.sql: the
 * migration tests build an old file from it.
 */
export const RECORDS_V1_SCHEMA = `
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
CREATE INDEX IF NOT EXISTS core_records_layer ON core_records (ns, layer, id);
CREATE INDEX IF NOT EXISTS core_records_layer_natural_key ON core_records (ns, layer, natural_key);
CREATE INDEX IF NOT EXISTS core_records_created ON core_records (ns, created_at, id);
CREATE INDEX IF NOT EXISTS core_records_layer_created ON core_records (ns, layer, created_at, id);
CREATE INDEX IF NOT EXISTS core_records_updated ON core_records (ns, updated_at, id);
CREATE INDEX IF NOT EXISTS core_records_layer_updated ON core_records (ns, layer, updated_at, id);`;

/**
 * Turns `db`, on which the current backend has already created its tables, into a file
 * of records schema version 1 holding `rows` records in namespace `ns` (and a tenth as
 * many in `other`), written with raw SQL as that release stored them: ids `r00001`…,
 * natural keys in another order than ids, three layers, batches of 100 sharing a time.
 */
export function toRecordsV1File(db: Database.Database, ns: string, rows: number): void {
  db.exec("DROP TABLE core_records");
  db.exec(RECORDS_V1_SCHEMA);
  db.exec("UPDATE core_meta SET version = 1 WHERE name = 'records'");
  const fill = (name: string, count: number) =>
    db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${count})
      INSERT INTO core_records (ns, id, natural_key, layer, content, metadata, created_at, updated_at, version)
      SELECT '${name}', printf('r%05d', i), printf('k%05d', (i * 7919) % 100003),
        CASE i % 3 WHEN 0 THEN 'bronze' WHEN 1 THEN 'silver' ELSE 'gold' END,
        json_object('i', i, 'tag', CASE WHEN i % 10 = 0 THEN 'rare' ELSE 'common' END), json_object('from', 'v1'),
        1767225600000 + (i / 100) * 1000, 1767225600000 + ((${count} - i) / 100) * 1000, 1 + i % 4 FROM s`);
  fill(ns, rows);
  fill("other", Math.ceil(rows / 10));
}
