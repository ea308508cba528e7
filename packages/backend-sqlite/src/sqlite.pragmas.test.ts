import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Backend, BackendError, sql } from "@core/protocols";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteBackend } from "./index.js";
import { FILE_PRAGMA_DEFAULTS } from "./pragmas.js";

const dir = mkdtempSync(join(tmpdir(), "core-sqlite-pragmas-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pragma(backend: Backend, name: "mmap_size" | "cache_size" | "wal_autocheckpoint"): Promise<unknown> {
  const [row] = await backend.sql().query<Record<string, unknown>>(sql.raw(`pragma ${name}`));
  return row?.[name];
}

async function codeOf(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    return BackendError.is(err) ? err.code : `not a BackendError: ${String(err)}`;
  }
  return undefined;
}

describe("openSqliteBackend({ pragmas })", () => {
  it("applies the pragmas after the backend's own settings", async () => {
    await using backend = await openSqliteBackend({ pragmas: { cache_size: -2000, recursive_triggers: true } });
    const db = backend.sql();
    expect(await db.query(sql`pragma cache_size`)).toEqual([{ cache_size: -2000 }]);
    expect(await db.query(sql`pragma recursive_triggers`)).toEqual([{ recursive_triggers: 1 }]);
    expect(await db.query(sql`pragma foreign_keys`)).toEqual([{ foreign_keys: 1 }]);
  });

  it("gives a file it opens the large-store defaults (memory-mapped reads, 16 MiB of WAL per checkpoint)", async () => {
    await using backend = await openSqliteBackend({ path: join(dir, "defaults.db") });
    expect(FILE_PRAGMA_DEFAULTS).toEqual({ mmap_size: 1073741824, wal_autocheckpoint: 4096 });
    expect(await pragma(backend, "mmap_size")).toBe(1073741824);
    expect(await pragma(backend, "wal_autocheckpoint")).toBe(4096);
  });

  it("checkpoints the WAL of single stores (RETURNING run to its end, so SQLite's auto-checkpoint follows)", async () => {
    // A RETURNING write reset after its first row commits without the auto-checkpoint:
    // the WAL would grow by ~10 pages per store, forever (~15,000 pages = 60 MB here).
    const path = join(dir, "checkpointed.db");
    await using backend = await openSqliteBackend({ path, pragmas: { wal_autocheckpoint: 1000 } });
    const records = backend.records("wal");
    for (let i = 0; i < 1500; i++) {
      await records.store({ id: `r${i}`, naturalKey: `k${i}`, content: { i }, metadata: {} });
    }
    // 1,000 pages of 4 KiB plus the commit that crossed them (and the frame headers).
    expect(statSync(`${path}-wal`).size).toBeLessThan(1100 * 4200);
  });

  it("lets the caller's pragmas override the file default and keeps it beside others", async () => {
    await using small = await openSqliteBackend({ path: join(dir, "small.db"), pragmas: { cache_size: -2000 } });
    expect(await pragma(small, "cache_size")).toBe(-2000);
    expect(await pragma(small, "mmap_size")).toBe(1073741824);
    await using unmapped = await openSqliteBackend({ path: join(dir, "unmapped.db"), pragmas: { MMAP_SIZE: 0 } });
    expect(await pragma(unmapped, "mmap_size")).toBe(0);
    expect(await pragma(unmapped, "wal_autocheckpoint")).toBe(4096);
    await using sqliteDefault = await openSqliteBackend({
      path: join(dir, "sqlite-default.db"),
      pragmas: { wal_autocheckpoint: 1000 },
    });
    expect(await pragma(sqliteDefault, "wal_autocheckpoint")).toBe(1000);
    await using smaller = await openSqliteBackend({ path: join(dir, "smaller.db"), pragmas: { mmap_size: 4096 } });
    expect(await pragma(smaller, "mmap_size")).toBe(4096);
  });

  it("leaves a database passed in at its owner's settings", async () => {
    const own = new Database(join(dir, "own.db"));
    const passed = await openSqliteBackend({ database: own });
    try {
      expect(await pragma(passed, "mmap_size")).toBe(0);
      expect(await pragma(passed, "wal_autocheckpoint")).toBe(1000);
    } finally {
      await passed.close();
      own.close();
    }
  });

  it("rejects bad pragmas with INVALID_ARGUMENT", async () => {
    const bad: unknown[] = [
      { journal_mode: "delete" },
      { busy_timeout: 1 },
      { "cache size": 1 },
      { cache_size: "1; drop table x" },
      { cache_size: Number.NaN },
      { no_such_pragma: 1 },
      [1],
      "cache_size=1",
    ];
    for (const pragmas of bad) {
      expect(await codeOf(() => openSqliteBackend({ pragmas: pragmas as never })), JSON.stringify(pragmas)).toBe(
        "INVALID_ARGUMENT",
      );
    }
    const own = new Database(":memory:");
    try {
      expect(await codeOf(() => openSqliteBackend({ database: own, pragmas: { cache_size: 1 } }))).toBe(
        "INVALID_ARGUMENT",
      );
    } finally {
      own.close();
    }
  });
});
