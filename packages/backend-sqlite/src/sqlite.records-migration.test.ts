import { BackendError, type RecordQuery } from "@core/protocols";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqliteBackend } from "./index.js";
import { toRecordsV1File } from "./records-v1.fixture.js";

const NS = "old";
const ROWS = 1_500;

const tableSql = (db: Database.Database) =>
  db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'core_records'").pluck().get() as string;
const indexes = (db: Database.Database) =>
  db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'core_records' ORDER BY name")
    .all();
const rows = (db: Database.Database) =>
  db.prepare("SELECT * FROM core_records ORDER BY ns, id").all() as Record<string, unknown>[];
// What each ordering must return, straight from the stored columns (ties by id in the
// ordering's direction).
const ORDERS: [RecordQuery["orderBy"], string][] = [
  ["id", "id"],
  ["-id", "id DESC"],
  ["naturalKey", "natural_key"],
  ["-naturalKey", "natural_key DESC"],
  ["createdAt", "created_at, id"],
  ["-createdAt", "created_at DESC, id DESC"],
  ["updatedAt", "updated_at, id"],
  ["-updatedAt", "updated_at DESC, id DESC"],
];

/** A version-1 file with records and sightings, and the rows and orders it held. */
async function v1File() {
  const db = new Database(":memory:");
  const fresh = await openSqliteBackend({ database: db });
  await fresh.records(NS).recordSighting({ naturalKey: "k00042", source: "feed", metadata: { n: 1 } });
  await fresh.records(NS).recordSighting({ naturalKey: "k00042", source: "crawl", metadata: { n: 2 } });
  await fresh.close();
  const expectedIndexes = indexes(db);
  toRecordsV1File(db, NS, ROWS);
  const before = rows(db);
  const orders = ORDERS.map(([orderBy, sql]) => {
    const ids = db.prepare(`SELECT id FROM core_records WHERE ns = ? ORDER BY ${sql}`).pluck().all(NS);
    return { orderBy, ids: ids as string[] };
  });
  return { db, before, orders, expectedIndexes };
}

describe("sqlite records schema 1 → 2 (WITHOUT ROWID → rowid table)", () => {
  it("a version-1 file migrates on open: rows, orders, counts, natural keys and sightings intact", async () => {
    const { db, before, orders, expectedIndexes } = await v1File();
    expect(tableSql(db)).toMatch(/WITHOUT ROWID/);
    // A view of the user's over the table: the rebuild must neither fail on it nor break it.
    db.exec("CREATE VIEW my_counts AS SELECT ns, count(*) AS n FROM core_records GROUP BY ns");
    const backend = await openSqliteBackend({ database: db });
    expect(db.prepare("SELECT n FROM my_counts WHERE ns = ?").pluck().get(NS)).toBe(ROWS);
    expect(db.pragma("legacy_alter_table", { simple: true })).toBe(0);
    expect(db.prepare("SELECT version FROM core_meta WHERE name = 'records'").pluck().get()).toBe(2);
    expect(tableSql(db)).not.toMatch(/WITHOUT ROWID/);
    expect(tableSql(db)).toMatch(/UNIQUE \(ns, id\)/);
    // A rowid table, its rows numbered in (ns, id) order; every index rebuilt as a fresh file has it.
    expect(db.prepare("SELECT min(rowid), max(rowid) FROM core_records").raw().get()).toEqual([1, before.length]);
    expect(db.prepare("SELECT id FROM core_records WHERE rowid = 1").pluck().get()).toBe("r00001");
    expect(indexes(db)).toEqual(expectedIndexes);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'core_records_v%'").all()).toEqual([]);
    expect(rows(db)).toEqual(before);

    const store = backend.records(NS);
    expect(await store.count()).toBe(ROWS);
    expect(await store.count({ layer: "gold" })).toBe(ROWS / 3);
    expect(await store.count({ where: { "content.tag": "rare" } })).toBe(ROWS / 10);
    expect(await backend.records("other").count()).toBe(ROWS / 10);
    for (const { orderBy, ids } of orders) {
      const seen: string[] = [];
      let page = await store.queryPage({ orderBy, limit: 100 });
      seen.push(...page.records.map((r) => r.id));
      while (page.next) {
        page = await store.queryPage({ orderBy, limit: 100, after: page.next });
        seen.push(...page.records.map((r) => r.id));
      }
      expect(seen, String(orderBy)).toEqual(ids);
    }
    const r7 = await store.get("r00007");
    expect(r7).toMatchObject({ naturalKey: "k55433", layer: "silver", content: { i: 7, tag: "common" } });
    expect(r7?.metadata).toEqual({ from: "v1" });
    expect((await store.getByNaturalKey("k55433"))?.id).toBe("r00007");
    expect((await store.getSightings("k00042")).map((s) => s.source)).toEqual(["feed", "crawl"]);

    // Writes on the migrated table: the upsert's ON CONFLICT (ns, id), an update, a natural-key clash.
    const updated = await store.store({ id: "r00007", naturalKey: "k55433", layer: "silver", content: { i: 70 } });
    expect(updated.version).toBe(r7!.version + 1);
    await store.store({ id: "new", naturalKey: "k-new", layer: "gold", content: {} });
    await expect(store.store({ id: "clash", naturalKey: "k55433", layer: "gold", content: {} })).rejects.toSatisfy(
      (e) => BackendError.is(e, "CONFLICT"),
    );
    expect(await store.count()).toBe(ROWS + 1);
    await backend.close();

    // Migrated once: opening again copies nothing.
    const rowids = db.prepare("SELECT rowid, id FROM core_records ORDER BY rowid").all();
    const again = await openSqliteBackend({ database: db });
    expect(db.prepare("SELECT rowid, id FROM core_records ORDER BY rowid").all()).toEqual(rowids);
    await again.close();
    db.close();
  });

  it("a migration that fails leaves the version-1 file as it was", async () => {
    const { db, before } = await v1File();
    // The copy's new table name taken: the migration fails midway and must roll back whole.
    db.exec("CREATE TABLE core_records_v2 (x)");
    await expect(openSqliteBackend({ database: db })).rejects.toBeInstanceOf(BackendError);
    expect(db.prepare("SELECT version FROM core_meta WHERE name = 'records'").pluck().get()).toBe(1);
    expect(tableSql(db)).toMatch(/WITHOUT ROWID/);
    expect(rows(db)).toEqual(before);
    db.close();
  });
});
