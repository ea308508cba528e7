import type { Layer, RecordQuery, RecordStore } from "@core/protocols";
import { countSql, normalizeQuery, pageSql, recordStatements } from "@core/protocols/kit";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openSqliteBackend } from "./index.js";
import { sqliteRecordDialect } from "./records-dialect.js";

const pageQuery = (ns: string, query: Parameters<typeof pageSql>[2]) => {
  const { text, p } = pageSql(sqliteRecordDialect, ns, query);
  return { text, params: p.values };
};

// Every built-in ordering's page must be an index range scan at a size where a sort of
// the collection would show; no ANALYZE: the plan must hold without statistics.
const ROWS = 100_000;
const NS = "scale";
const db = new Database(":memory:");
let store: RecordStore;
let close: () => Promise<void>;

beforeAll(async () => {
  const backend = await openSqliteBackend({ database: db });
  close = () => backend.close();
  store = backend.records(NS);
  // Rows as storeBatch writes them: batches of 1,000 share createdAt and updatedAt, a
  // third per layer, 1% tagged "rare".
  db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${ROWS})
    INSERT INTO core_records (ns, id, natural_key, layer, content, metadata, created_at, updated_at, version)
    SELECT '${NS}', printf('r%07d', i), 'k' || hex(randomblob(8)) || i, CASE i % 3 WHEN 0 THEN 'bronze' WHEN 1 THEN 'silver' ELSE 'gold' END,
      json_object('tag', CASE WHEN i % 100 = 0 THEN 'rare' ELSE 'common' END, 'i', i), '{}',
      1767225600000 + (i / 1000) * 1000, 1767225600000 + (i / 1000) * 1000, 1 FROM s`);
}, 120_000);

afterAll(async () => {
  await close?.();
  db.close();
});

function plan(text: string, params: unknown[]): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[];
  return rows.map((r) => r.detail);
}

const ORDERINGS = ["id", "naturalKey", "createdAt", "updatedAt"] as const;
const CASES = ORDERINGS.flatMap((field) =>
  [false, true].flatMap((descending) =>
    [undefined, "gold" as Layer].map((layer) => ({
      orderBy: `${descending ? "-" : ""}${field}` as RecordQuery["orderBy"],
      layer,
    })),
  ),
);

// The index each ordering's page reads (core_records is a rowid table: the id orders read
// UNIQUE (ns, id)'s index, then each row by rowid).
function expectedIndex(orderBy: string, layer: Layer | undefined): string {
  const within = layer === undefined ? "" : "layer_";
  switch (orderBy.replace(/^-/, "")) {
    case "id":
      return layer === undefined ? "sqlite_autoindex_core_records_1" : "core_records_layer";
    case "naturalKey":
      return `core_records_${within}natural_key`;
    case "createdAt":
      return `core_records_${within}created`;
    default:
      return `core_records_${within}updated`;
  }
}

describe(`sqlite records at ${ROWS.toLocaleString("en")} rows: every ordering's page is an index search`, () => {
  test.each(CASES)(
    "orderBy $orderBy, layer $layer: first and next page search an index, never sort",
    async ({ orderBy, layer }) => {
      const first = await store.queryPage({ orderBy, layer, limit: 100 });
      expect(first.records).toHaveLength(100);
      const second = await store.queryPage({ orderBy, layer, limit: 100, after: first.next! });
      expect(second.records).toHaveLength(100);
      for (const after of [undefined, first.next!]) {
        const part = pageQuery(NS, normalizeQuery("sqlite", { orderBy, layer, limit: 100, after }, 10_000));
        const details = plan(part.text, part.params);
        expect(details, part.text).toHaveLength(1);
        expect(details[0], part.text).toMatch(
          new RegExp(`^SEARCH core_records USING INDEX ${expectedIndex(orderBy!, layer)} \\(ns=\\?`),
        );
        expect(details.join("\n"), part.text).not.toMatch(/TEMP B-TREE|^SCAN/m);
      }
    },
  );

  test.each(CASES.filter((c) => c.orderBy!.startsWith("-")))(
    "orderBy $orderBy, layer $layer: a descending page is the ascending index read backwards",
    ({ orderBy, layer }) => {
      const part = pageQuery(NS, normalizeQuery("sqlite", { orderBy, layer, limit: 100 }, 10_000));
      const details = plan(part.text, part.params).join("\n");
      expect(details, part.text).not.toMatch(/_desc\b|TEMP B-TREE/);
    },
  );

  test("a file made with the descending time indexes loses them on open", async () => {
    const file = new Database(":memory:");
    const first = await openSqliteBackend({ database: file });
    await first.close();
    for (const [name, cols] of [
      ["core_records_created_desc", "ns, created_at DESC, id"],
      ["core_records_layer_created_desc", "ns, layer, created_at DESC, id"],
      ["core_records_updated_desc", "ns, updated_at DESC, id"],
      ["core_records_layer_updated_desc", "ns, layer, updated_at DESC, id"],
    ]) {
      file.exec(`CREATE INDEX ${name} ON core_records (${cols})`);
    }
    const indexes = () =>
      file.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").pluck().all() as string[];
    expect(indexes().filter((n) => n.endsWith("_desc"))).toHaveLength(4);
    const reopened = await openSqliteBackend({ database: file });
    await reopened.close();
    expect(indexes().filter((n) => n.endsWith("_desc"))).toEqual([]);
    expect(indexes()).toContain("core_records_layer_created");
    file.close();
  });

  test("reads, deletes and writes by id or natural key seek their unique index", () => {
    const statements = recordStatements(sqliteRecordDialect);
    const byId = /^SEARCH core_records USING (COVERING )?INDEX sqlite_autoindex_core_records_1 \(ns=\? AND id=\?\)$/;
    const byKey = /^SEARCH core_records USING (COVERING )?INDEX core_records_natural_key \(ns=\? AND natural_key=\?\)$/;
    for (const [text, expected] of [
      [statements.get, byId],
      [statements.getLayer, byId],
      [statements.exists, byId],
      [statements.existsLayer, byId],
      [statements.delete, byId],
      [statements.deleteLayer, byId],
      [statements.getByNaturalKey, byKey],
      [statements.existsByNaturalKey, byKey],
      ["UPDATE core_records SET content = ?, version = ? WHERE ns = ? AND id = ?", byId],
    ] as const) {
      const details = plan(text, Array((text.match(/\?/g) ?? []).length).fill("x"));
      expect(details, text).toHaveLength(1);
      expect(details[0], text).toMatch(expected);
    }
  });

  test("a content filter is evaluated per row in the ordering's index order; its count runs in the database", async () => {
    const page = await store.queryPage({ where: { "content.tag": "rare" }, limit: 100 });
    expect(page.records).toHaveLength(100);
    expect(page.records.every((r) => r.content.tag === "rare")).toBe(true);
    const part = pageQuery(NS, normalizeQuery("sqlite", { where: { "content.tag": "rare" }, limit: 100 }, 10_000));
    expect(plan(part.text, part.params).join("\n")).not.toMatch(/TEMP B-TREE/);
    expect(await store.count({ where: { "content.tag": "rare" } })).toBe(ROWS / 100);
    const count = countSql(sqliteRecordDialect, NS, { layer: "gold", conditions: [] });
    expect(plan(count.text, count.p.values)[0]).toMatch(/^SEARCH core_records USING COVERING INDEX/);
  });

  test("a filter no index serves counts by one scan of the table, steered by the schema's planner statistics", async () => {
    const filtered = countSql(sqliteRecordDialect, NS, {
      conditions: normalizeQuery("sqlite", { where: { "content.tag": "rare" } }, 10_000).conditions,
    });
    expect(plan(filtered.text, filtered.p.values)).toEqual(["SCAN core_records"]);
    // Measured statistics (ANALYZE) replace the schema's, and a later open keeps them.
    db.exec("ANALYZE core_records");
    await (await openSqliteBackend({ database: db })).close();
    const measured = db.prepare("SELECT stat FROM sqlite_stat1 WHERE idx = 'core_records_layer'").pluck().get();
    expect(measured).toMatch(new RegExp(`^${ROWS} ${ROWS} `));
  });
});
