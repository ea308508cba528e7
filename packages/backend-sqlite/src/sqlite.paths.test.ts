import { waitFor } from "@core/conformance";
import type { RecordQuery, StoredRecord } from "@core/protocols";
import {
  compareRecords,
  decodeCursor,
  encodeCursor,
  isAfterCursor,
  normalizeQuery,
  pageSql,
  parseOrderBy,
} from "@core/protocols/kit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqliteBackend } from "./index.js";
import { sqliteRecordDialect } from "./records-dialect.js";

const pageQuery = (ns: string, query: Parameters<typeof pageSql>[2]) => {
  const { text, p } = pageSql(sqliteRecordDialect, ns, query);
  return { text, params: p.values };
};

// The fast paths of the backend: column orderings compiled to index seeks, batched cache
// reads, queue offsets from the log itself. Each must give exactly what the general
// definition (protocols' compareRecords / isAfterCursor) gives.

const ORDERINGS: NonNullable<RecordQuery["orderBy"]>[] = [
  "id",
  "-id",
  "createdAt",
  "-createdAt",
  "updatedAt",
  "-updatedAt",
  "naturalKey",
  "-naturalKey",
  "layer",
  "-layer",
];

async function seeded() {
  const db = new Database(":memory:");
  const backend = await openSqliteBackend({ database: db });
  const store = backend.records("paths");
  const layers = ["bronze", "silver", "gold"] as const;
  // Three batches: createdAt/updatedAt tie within a batch, so ties are broken by id.
  for (let batch = 0; batch < 3; batch++) {
    await store.storeBatch(
      Array.from({ length: 7 }, (_, j) => {
        const i = batch * 7 + j;
        return { id: `r${(i * 8) % 21}`, naturalKey: `k${20 - i}`, layer: layers[i % 3], content: { i } };
      }),
    );
    await new Promise((r) => setTimeout(r, 3));
  }
  const all: StoredRecord[] = [];
  for await (const r of store.query({ limit: 1000 })) all.push(r);
  if (all.length !== 21) throw new Error(`seeded ${all.length} records, not 21`);
  return { db, backend, store, all };
}

describe("sqlite fast paths", () => {
  it("pages every column ordering, with and without a layer, exactly like compareRecords", async () => {
    const { db, backend, store, all } = await seeded();
    for (const orderBy of ORDERINGS) {
      for (const layer of [undefined, "silver"] as const) {
        const ordering = parseOrderBy(orderBy);
        const expected = all.filter((r) => layer === undefined || r.layer === layer);
        expected.sort((a, b) => compareRecords(a, b, ordering));
        const seen: string[] = [];
        let after: string | undefined;
        do {
          const page = await store.queryPage({ orderBy, layer, limit: 4, after });
          seen.push(...page.records.map((r) => r.id));
          after = page.next ?? undefined;
        } while (after !== undefined);
        expect(seen, `${orderBy} ${layer ?? ""}`).toEqual(expected.map((r) => r.id));
      }
    }
    await backend.close();
    db.close();
  });

  it("a cursor whose value has another type rank than the column gives all rows or none, like isAfterCursor (or is refused when forged)", async () => {
    const { db, backend, store, all } = await seeded();
    for (const orderBy of ORDERINGS) {
      const ordering = parseOrderBy(orderBy);
      for (const value of [null, true, 5, "m", {}, { $date: 1 }]) {
        const after = Buffer.from(JSON.stringify([ordering.field, ordering.descending ? 2 : 0, value, "r5"])).toString(
          "base64url",
        );
        let position: ReturnType<typeof decodeCursor>;
        try {
          position = decodeCursor(after, ordering);
        } catch (err) {
          // A value of the wrong type for a column is a forged cursor: the store refuses it too.
          expect((err as { code?: string }).code).toBe("INVALID_ARGUMENT");
          await expect(store.queryPage({ orderBy, after, limit: 1000 })).rejects.toMatchObject({
            code: "INVALID_ARGUMENT",
          });
          continue;
        }
        const expected = all.filter((r) => isAfterCursor(r, position, ordering));
        expected.sort((a, b) => compareRecords(a, b, ordering));
        const page = await store.queryPage({ orderBy, after, limit: 1000 });
        expect(
          page.records.map((r) => r.id),
          `${orderBy} after ${JSON.stringify(value)}`,
        ).toEqual(expected.map((r) => r.id));
      }
    }
    await backend.close();
    db.close();
  });

  it("default and layer-narrowed id pages seek an index instead of scanning the collection", async () => {
    const { db, backend, all } = await seeded();
    const plan = (query: Parameters<typeof normalizeQuery>[1]) => {
      const part = pageQuery("paths", normalizeQuery("sqlite", query, 10_000));
      const rows = db.prepare(`EXPLAIN QUERY PLAN ${part.text}`).all(...part.params) as { detail: string }[];
      return rows.map((r) => r.detail).join(" | ");
    };
    const at = all[5] as StoredRecord;
    const cursorAt = (orderBy: string) => encodeCursor(parseOrderBy(orderBy), at);
    // The (ns, id) index is UNIQUE (ns, id)'s own (core_records is a rowid table).
    expect(plan({ limit: 10, after: cursorAt("id") })).toMatch(/sqlite_autoindex_core_records_1 \(ns=\? AND id>\?\)/);
    expect(plan({ limit: 10, orderBy: "-id", after: cursorAt("-id") })).toMatch(
      /sqlite_autoindex_core_records_1 \(ns=\? AND id<\?\)/,
    );
    expect(plan({ limit: 10, layer: "gold", after: cursorAt("id") })).toMatch(
      /core_records_layer \(ns=\? AND layer=\? AND id>\?\)/,
    );
    expect(plan({ limit: 10, orderBy: "updatedAt", after: cursorAt("updatedAt") })).toMatch(
      /core_records_updated \(ns=\? AND \(updated_at,id\)>\(\?,\?\)\)/,
    );
    for (const detail of [plan({ limit: 10 }), plan({ limit: 10, layer: "gold" })]) {
      expect(detail).not.toMatch(/TEMP B-TREE/);
    }
    await backend.close();
    db.close();
  });

  it("getMany reads a batch in one statement, counts hits and misses and deletes the expired entries it meets", async () => {
    const db = new Database(":memory:");
    const backend = await openSqliteBackend({ database: db });
    const cache = backend.cache<number>("many");
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    await cache.setMany(keys.map((key, i) => ({ key, value: i, ttlMs: i % 2 === 0 ? 10 : undefined })));
    await new Promise((r) => setTimeout(r, 20));
    const asked = [...keys, "missing", "k1", "k0"];
    const values = await cache.getMany(asked);
    expect(values).toEqual(
      asked.map((key) => (key === "missing" || Number(key.slice(1)) % 2 === 0 ? undefined : Number(key.slice(1)))),
    );
    const stored = db.prepare("SELECT count(*) FROM core_cache WHERE ns = 'many'").pluck().get();
    expect(stored).toBe(150);
    const stats = await cache.stats();
    expect(stats).toMatchObject({ entries: 150, hits: 151, misses: 152 });
    await backend.close();
    db.close();
  });

  it("queue offsets continue after trim empties the log, and a version-1 queue file migrates", async () => {
    const db = new Database(":memory:");
    let backend = await openSqliteBackend({ database: db });
    const queue = backend.queue<string>("t");
    await queue.putBatch(["a", "b", "c"]);
    expect(await queue.trim({ before: 3 })).toBe(3);
    expect(await queue.count()).toBe(3);
    expect(await queue.put("d")).toBe(3);
    expect(await queue.stats()).toMatchObject({ totalCount: 4, firstOffset: 3 });
    await backend.close();
    // A version-1 file: its counter row was bumped by every put (and is exact).
    db.exec("UPDATE core_meta SET version = 1 WHERE name = 'queue'");
    db.exec("INSERT INTO core_queue_topics VALUES ('v1', 5, 5)");
    backend = await openSqliteBackend({ database: db });
    expect(db.prepare("SELECT version FROM core_meta WHERE name = 'queue'").pluck().get()).toBe(2);
    const old = backend.queue<string>("v1");
    expect(await old.count()).toBe(5);
    expect(await old.putBatch(["x", "y"])).toEqual({ first: 5, count: 2 });
    expect(await old.put("z")).toBe(7);
    await backend.close();
    db.close();
  });
  it("a version-1 transport file gains not_before and keeps its messages", async () => {
    const db = new Database(":memory:");
    let backend = await openSqliteBackend({ database: db });
    let bus = backend.transport();
    await bus.send("c", [{ id: "old", payload: 1, headers: {}, publishedAt: 1 }]);
    await backend.close();
    // A version-1 file: core_outbox had no not_before column.
    db.exec("ALTER TABLE core_outbox DROP COLUMN not_before");
    db.exec("UPDATE core_meta SET version = 1 WHERE name = 'transport'");
    backend = await openSqliteBackend({ database: db });
    expect(db.prepare("SELECT version FROM core_meta WHERE name = 'transport'").pluck().get()).toBe(2);
    bus = backend.transport();
    const seen: string[] = [];
    const subscription = await bus.subscribe("c", (m) => void seen.push(m.id), { fromStart: true });
    const result = await bus.send("c", [{ id: "new", payload: 2, headers: {}, publishedAt: 2 }], { delayMs: 1 });
    expect(result?.ids).toEqual(["1"]);
    await waitFor(() => seen.length >= 2, 10_000, "both messages");
    expect(seen).toEqual(["old", "new"]);
    await subscription.unsubscribe();
    await backend.close();
    db.close();
  });
});
