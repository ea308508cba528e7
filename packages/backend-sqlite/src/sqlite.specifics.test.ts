import {
  BackendError,
  ConnectionError,
  DeadlockError,
  IntegrityError,
  OperationalError,
  QueryError,
  sql,
  TransactionError,
} from "@core/protocols";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { toBackendError } from "./errors.js";
import { openSqliteBackend } from "./index.js";

function sqliteError(code: string): Error {
  return Object.assign(new Error(`boom ${code}`), { code });
}

describe("sqlite specifics", () => {
  it("maps SQLite result codes to the shared error codes and SQL error classes in one place", () => {
    const cases: [string, string, boolean, new (...args: never[]) => BackendError][] = [
      ["SQLITE_BUSY", "SERIALIZATION", true, DeadlockError],
      ["SQLITE_BUSY_SNAPSHOT", "SERIALIZATION", true, DeadlockError],
      ["SQLITE_LOCKED", "LOCKED", true, OperationalError],
      ["SQLITE_LOCKED_SHAREDCACHE", "LOCKED", true, OperationalError],
      ["SQLITE_CONSTRAINT_UNIQUE", "CONFLICT", false, IntegrityError],
      ["SQLITE_CONSTRAINT_FOREIGNKEY", "CONFLICT", false, IntegrityError],
      ["SQLITE_READONLY", "INVALID_ARGUMENT", false, TransactionError],
      ["SQLITE_READONLY_DBMOVED", "CONNECTION", true, ConnectionError],
      ["SQLITE_CORRUPT", "CORRUPTION", false, BackendError],
      ["SQLITE_NOTADB", "CORRUPTION", false, BackendError],
      ["SQLITE_CANTOPEN", "CONNECTION", true, ConnectionError],
      ["SQLITE_IOERR_WRITE", "CONNECTION", true, ConnectionError],
      ["SQLITE_FULL", "CONNECTION", true, ConnectionError],
      ["SQLITE_INTERRUPT", "TIMEOUT", true, OperationalError],
      ["SQLITE_ERROR", "INVALID_ARGUMENT", false, QueryError],
      ["SQLITE_RANGE", "INVALID_ARGUMENT", false, QueryError],
    ];
    for (const [sqlite, code, retryable, type] of cases) {
      const mapped = toBackendError(sqliteError(sqlite));
      expect(mapped, sqlite).toBeInstanceOf(type);
      expect(mapped.code, sqlite).toBe(code);
      expect(mapped.retryable, sqlite).toBe(retryable);
      expect(mapped.message).toMatch(/^\[sqlite\] /);
      expect(mapped.message).toContain(sqlite);
      expect(mapped.cause).toBeInstanceOf(Error);
    }
    const closed = toBackendError(new TypeError("The database connection is not open"));
    expect(closed.code).toBe("CLOSED");
    const misuse = toBackendError(new RangeError("Too many parameter values were provided"));
    expect(misuse).toBeInstanceOf(QueryError);
    const own = new IntegrityError("taken", { backend: "sqlite" });
    expect(toBackendError(own)).toBe(own);
  });

  it("a database we open enforces foreign keys; a database passed in keeps its owner's setting", async () => {
    await using opened = await openSqliteBackend();
    const [on] = await opened.sql().query<{ foreign_keys: number }>({ text: "PRAGMA foreign_keys" });
    expect(on?.foreign_keys).toBe(1);
    const db = new Database(":memory:");
    db.pragma("foreign_keys = OFF"); // better-sqlite3's bundled SQLite defaults it to ON
    try {
      const backend = await openSqliteBackend({ database: db });
      await backend.sql().query({ text: "select 1" });
      expect(db.pragma("foreign_keys", { simple: true })).toBe(0);
      await backend.close();
    } finally {
      db.close();
    }
  });

  it("refuses a database option that is not an open better-sqlite3 Database", async () => {
    const closed = new Database(":memory:");
    closed.close();
    for (const database of [closed, {}, "app.db", null]) {
      await expect(openSqliteBackend({ database: database as never })).rejects.toSatisfy((e) =>
        BackendError.is(e, "INVALID_ARGUMENT"),
      );
    }
  });

  it("uses one table per protocol with schema versions recorded, on a database the user owns", async () => {
    const db = new Database(":memory:");
    const backend = await openSqliteBackend({ database: db });
    await backend.cache("a").set("k", 1);
    await backend.cache("b").set("k", 2);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toContain("core_cache");
    expect(tables.filter((t) => String(t).includes("a"))).not.toContain("a");
    expect(db.prepare("SELECT name, version FROM core_meta ORDER BY name").all()).toEqual([
      { name: "cache", version: 1 },
      { name: "queue", version: 2 },
      { name: "records", version: 2 },
      { name: "transport", version: 2 },
    ]);
    await backend.close();
    expect(db.open).toBe(true); // the user's database is never closed by the backend
    // Opening again is idempotent.
    const again = await openSqliteBackend({ database: db });
    expect(await again.cache("a").get("k")).toBe(1);
    await again.close();
    db.close();
  });

  it("refuses a database whose schema is newer than this release", async () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE core_meta (name TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID");
    db.exec("INSERT INTO core_meta VALUES ('cache', 99)");
    await expect(openSqliteBackend({ database: db })).rejects.toSatisfy((err) => BackendError.is(err, "CORRUPTION"));
    db.close();
  });

  it("expired entries are swept in the background", async () => {
    const db = new Database(":memory:");
    const backend = await openSqliteBackend({ database: db });
    const cache = backend.cache("s", { sweepIntervalMs: 10 });
    await cache.set("gone", 1, { ttlMs: 5 });
    await cache.set("kept", 1);
    const count = () => db.prepare("SELECT count(*) FROM core_cache WHERE ns = 's'").pluck().get();
    for (let i = 0; i < 300 && count() !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(count()).toBe(1);
    await backend.close();
    db.close();
  });

  it("store calls wait for an open sql() transaction instead of joining it", async () => {
    const backend = await openSqliteBackend();
    let sqlDb: ReturnType<typeof backend.sql>;
    try {
      sqlDb = backend.sql();
    } catch (err) {
      throw new Error(`sql() is not available yet: ${(err as Error).message}`);
    }
    const cache = backend.cache("c");
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const transaction = sqlDb.transaction(async (tx) => {
      await tx.execute(sql`CREATE TABLE t (x INTEGER)`);
      // Inside the transaction a store call would wait for it forever: refused at once.
      await expect(cache.set("inside", 1)).rejects.toSatisfy((e) => BackendError.is(e, "INVALID_ARGUMENT"));
      opened();
      await new Promise((r) => setTimeout(r, 20));
      throw new Error("roll back");
    });
    await isOpen;
    const write = cache.set("k", 1); // from outside: queued behind the transaction, not part of it
    await expect(transaction).rejects.toThrow("roll back");
    await write;
    expect(await cache.get("k")).toBe(1);
    // …and the transaction itself did roll back.
    await expect(sqlDb.query(sql`SELECT * FROM t`)).rejects.toSatisfy((e) => BackendError.is(e));
    await backend.close();
  });

  it("synchronous FULL and WAL are applied to a file database; bad options are INVALID_ARGUMENT", async () => {
    await expect(openSqliteBackend({ synchronous: "OFF" as never })).rejects.toSatisfy((e) =>
      BackendError.is(e, "INVALID_ARGUMENT"),
    );
    await expect(openSqliteBackend({ busyTimeoutMs: -1 })).rejects.toSatisfy((e) =>
      BackendError.is(e, "INVALID_ARGUMENT"),
    );
  });

  it("setMany writes many entries per statement: repeated keys keep their last value, across chunks too", async () => {
    await using backend = await openSqliteBackend();
    for (const options of [{}, { maxEntries: 1000 }]) {
      const cache = backend.cache<number>(`many-${Object.keys(options).length}`, options);
      // 70 entries = three statements (32 + 32 + 6); "k3" comes back in a later chunk.
      const entries = Array.from({ length: 70 }, (_, i) => ({ key: `k${i % 40}`, value: i }));
      await cache.setMany([{ key: "k0", value: -1 }, ...entries]);
      const values = await cache.getMany(Array.from({ length: 40 }, (_, i) => `k${i}`));
      expect(values).toEqual(Array.from({ length: 40 }, (_, i) => (i < 30 ? i + 40 : i)));
      expect((await cache.stats()).entries).toBe(40);
    }
  });

  it("store keeps updatedAt monotonic when the clock goes back, on the one-statement path too", async () => {
    await using backend = await openSqliteBackend();
    const feed = backend.records("clock");
    const now = vi.spyOn(Date, "now");
    try {
      now.mockReturnValue(2_000_000);
      const first = await feed.store({ id: "a", naturalKey: "k", content: { n: 1 } });
      now.mockReturnValue(1_000_000);
      const second = await feed.store({ id: "a", naturalKey: "k", content: { n: 2 } });
      expect(second.updatedAt.getTime()).toBe(2_000_000);
      expect(second.createdAt).toEqual(first.createdAt);
      expect(second.version).toBe(2);
      expect((await feed.get("a"))?.updatedAt.getTime()).toBe(2_000_000);
    } finally {
      now.mockRestore();
    }
  });

  it("a sql() query spelling a store's own statement shares no statement modes with it", async () => {
    await using backend = await openSqliteBackend();
    const cache = backend.cache<number>("modes", { maxEntries: 5 });
    await cache.set("a", 1);
    // The exact text the cache plucks (and reads as numbers) on every maxEntries write.
    const text = "SELECT entries FROM core_cache_sizes WHERE ns = ?";
    expect(await backend.sql().query({ text, params: ["modes"] })).toEqual([{ entries: 1 }]);
    await cache.set("b", 2);
    expect(await cache.getMany(["a", "b"])).toEqual([1, 2]);
    expect(await backend.sql().query({ text, params: ["modes"] })).toEqual([{ entries: 2 }]);
  });
});
