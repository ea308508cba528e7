import { BackendError, sql } from "@core/protocols";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqliteBackend } from "./index.js";

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
