import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSqlConformance } from "@core/conformance";
import { sql, TransactionError } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteBackend } from "./index.js";
import { sqliteMutexFor } from "./sql/mutex.js";

const dir = mkdtempSync(join(tmpdir(), "core-sqlite-sql-"));
const path = join(dir, "sql.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSqlConformance({
  name: "sqlite :memory:",
  open: () => openSqliteBackend({ path: ":memory:" }),
  sqlConnection: {
    open: () =>
      openSqliteBackend({
        path: ":memory:",
        busyTimeoutMs: 1234,
        pragmas: { cache_size: -4000, temp_store: "memory" },
      }),
    settings: { busy_timeout: 1234, cache_size: -4000, temp_store: 2 },
  },
});
describeSqlConformance({ name: "sqlite file", open: () => openSqliteBackend({ path }) });

describe("sqlite sql: one connection", () => {
  it("using the database (or an outer transaction) inside a transaction fails fast instead of hanging", async () => {
    await using backend = await openSqliteBackend({ path: ":memory:" });
    const db = backend.sql();
    await db.execute(sql`create table t (id integer primary key)`);
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into t (id) values (${1})`);
      const err = await db.query(sql`select * from t`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransactionError);
      expect((err as TransactionError).code).toBe("INVALID_ARGUMENT");
      await tx.transaction(async (sp) => {
        await expect(tx.query(sql`select 1`)).rejects.toBeInstanceOf(TransactionError);
        await sp.execute(sql`insert into t (id) values (${2})`);
      });
    });
    expect(await db.query(sql`select id from t order by id`)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it("integers beyond 2^53 come back as bigint, others as numbers", async () => {
    await using backend = await openSqliteBackend({ path: ":memory:" });
    const rows = await backend.sql().query(sql`select ${2n ** 60n} as big, ${5} as small, ${2n} as narrowed`);
    expect(rows).toEqual([{ big: 2n ** 60n, small: 5, narrowed: 2 }]);
  });

  it("the connection mutex is FIFO and shared per database", async () => {
    await using backend = await openSqliteBackend({ path: ":memory:" });
    const a = sqliteMutexFor(backend);
    expect(sqliteMutexFor(backend)).toBe(a);
    expect(sqliteMutexFor({})).not.toBe(a);
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        a.run(async () => {
          await new Promise((r) => setTimeout(r, 3 - i));
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([1, 2, 3]);
    expect(a.locked).toBe(false);
  });
});
