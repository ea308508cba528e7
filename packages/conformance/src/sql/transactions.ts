import { DeadlockError, type IsolationLevel, type SqlExecutor, sql, TransactionError } from "@core/protocols";
import { expect, test } from "vitest";
import { countRows, expectSqlError, idNameColumns, type SqlContext } from "./context.js";

const ALL_LEVELS: IsolationLevel[] = ["read uncommitted", "read committed", "repeatable read", "serializable"];

async function names(db: Pick<SqlExecutor, "query">, t: ReturnType<typeof sql>): Promise<string[]> {
  const rows = await db.query<{ name: string }>(sql`select name from ${t} order by id`);
  return rows.map((r) => r.name);
}

/**
 * Commit, rollback, savepoints, misuse, isolation levels, read-only and retries.
 *
 * @example
 * ```ts
 * registerSqlTransactions(ctx);
 * ```
 */
export function registerSqlTransactions(ctx: SqlContext): void {
  test("transaction commits when fn resolves and returns its value", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const value = await ctx.db.transaction(async (tx) => {
      await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
      expect(await names(tx, t)).toEqual(["a"]);
      return { ok: 1 };
    });
    expect(value).toEqual({ ok: 1 });
    expect(await names(ctx.db, t)).toEqual(["a"]);
  });

  test("transaction rolls back when fn throws and re-throws the same error", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const boom = new Error("boom");
    const thrown = await ctx.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
        throw boom;
      })
      .catch((err: unknown) => err);
    expect(thrown).toBe(boom);
    expect(await countRows(ctx.db, t)).toBe(0);
    // A failed statement inside also rolls the whole transaction back.
    await expectSqlError(
      () =>
        ctx.db.transaction(async (tx) => {
          await tx.execute(sql`insert into ${t} (id, name) values (${2}, ${"b"})`);
          await tx.execute(sql`insert into ${t} (id, name) values (${2}, ${"dup"})`);
        }),
      "CONFLICT",
    );
    expect(await countRows(ctx.db, t)).toBe(0);
  });

  test("nested transactions use savepoints: an inner rollback keeps the outer work", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const inner = new Error("inner");
    await ctx.db.transaction(async (tx) => {
      await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"outer"})`);
      const err = await tx
        .transaction(async (sp) => {
          await sp.execute(sql`insert into ${t} (id, name) values (${2}, ${"rolled back"})`);
          throw inner;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(inner);
      const kept = await tx.transaction(async (sp) => {
        await sp.execute(sql`insert into ${t} (id, name) values (${3}, ${"released"})`);
        return "kept";
      });
      expect(kept).toBe("kept");
      expect(await names(tx, t)).toEqual(["outer", "released"]);
    });
    expect(await names(ctx.db, t)).toEqual(["outer", "released"]);
    // An outer rollback undoes released savepoints too.
    await ctx.db
      .transaction(async (tx) => {
        await tx.transaction((sp) => sp.execute(sql`insert into ${t} (id, name) values (${4}, ${"gone"})`));
        throw new Error("outer");
      })
      .catch(() => undefined);
    expect(await names(ctx.db, t)).toEqual(["outer", "released"]);
  });

  test("savepoints nest deeply and unwind LIFO; sibling savepoints are serialised", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    await ctx.db.transaction(async (tx) => {
      await tx.transaction(async (a) => {
        await a.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
        await a
          .transaction(async (b) => {
            await b.execute(sql`insert into ${t} (id, name) values (${2}, ${"b"})`);
            await b.transaction((c) => c.execute(sql`insert into ${t} (id, name) values (${3}, ${"c"})`));
            throw new Error("undo b and c");
          })
          .catch(() => undefined);
        await a.execute(sql`insert into ${t} (id, name) values (${4}, ${"d"})`);
      });
      // Started together: each still rolls back only its own work.
      const results = await Promise.allSettled([
        tx.transaction(async (s) => {
          await s.execute(sql`insert into ${t} (id, name) values (${5}, ${"e"})`);
          throw new Error("undo e");
        }),
        tx.transaction(async (s) => {
          await s.execute(sql`insert into ${t} (id, name) values (${6}, ${"f"})`);
        }),
        tx.execute(sql`insert into ${t} (id, name) values (${7}, ${"g"})`),
      ]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    });
    expect(await names(ctx.db, t)).toEqual(["a", "d", "f", "g"]);
  });

  test("statements issued concurrently inside one transaction all run in it", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    await ctx.db.transaction(async (tx) => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => tx.execute(sql`insert into ${t} (id, name) values (${i}, ${`n${i}`})`)),
      );
    });
    expect(await countRows(ctx.db, t)).toBe(10);
  });

  test("a transaction object is unusable after the transaction ended", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    let leaked: SqlExecutor | undefined;
    await ctx.db.transaction(async (tx) => {
      leaked = tx;
    });
    const err = await expectSqlError(() => leaked?.query(sql`select * from ${t}`), "INVALID_ARGUMENT");
    expect(err).toBeInstanceOf(TransactionError);
    await expectSqlError(() => leaked?.transaction(async () => 1), "INVALID_ARGUMENT", TransactionError);
  });

  test("claimed isolation levels are honoured, others are NOT_SUPPORTED", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    for (const level of ALL_LEVELS) {
      let ran = false;
      const run = () =>
        ctx.db.transaction(
          async (tx) => {
            ran = true;
            await tx.execute(sql`insert into ${t} (id, name) values (${ALL_LEVELS.indexOf(level)}, ${level})`);
            if (ctx.dialectName === "postgres") {
              const [row] = await tx.query<{ level: string }>(
                sql`select current_setting('transaction_isolation') as level`,
              );
              expect(row?.level).toBe(level);
            }
          },
          { isolationLevel: level },
        );
      if (ctx.caps.isolationLevels.includes(level)) {
        await run();
        expect(ran).toBe(true);
      } else {
        await expectSqlError(run, "NOT_SUPPORTED");
        expect(ran).toBe(false);
      }
    }
    expect(await countRows(ctx.db, t)).toBe(ctx.caps.isolationLevels.length);
    await expectSqlError(
      () => ctx.db.transaction(async () => 1, { isolationLevel: "chaos" as never }),
      "INVALID_ARGUMENT",
    );
  });

  test("readOnly transactions read but reject writes", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    await ctx.db.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
    const read = await ctx.db.transaction((tx) => names(tx, t), { readOnly: true });
    expect(read).toEqual(["a"]);
    await expectSqlError(
      () =>
        ctx.db.transaction((tx) => tx.execute(sql`insert into ${t} (id, name) values (${2}, ${"b"})`), {
          readOnly: true,
        }),
      "INVALID_ARGUMENT",
    );
    await expectSqlError(
      () => ctx.db.transaction((tx) => tx.execute(sql`update ${t} set name = ${"x"}`), { readOnly: true }),
      "INVALID_ARGUMENT",
    );
    // The connection is writable again afterwards.
    await ctx.db.execute(sql`insert into ${t} (id, name) values (${3}, ${"c"})`);
    expect(await names(ctx.db, t)).toEqual(["a", "c"]);
    await expectSqlError(() => ctx.db.transaction(async () => 1, { readOnly: "yes" as never }), "INVALID_ARGUMENT");
  });

  test("retries re-run the whole transaction on SERIALIZATION errors only", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    let attempts = 0;
    const value = await ctx.db.transaction(
      async (tx) => {
        attempts += 1;
        await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${`attempt ${attempts}`})`);
        if (attempts < 3) throw new DeadlockError("simulated conflict", { backend: "test" });
        return attempts;
      },
      { retries: 3 },
    );
    expect(value).toBe(3);
    expect(await names(ctx.db, t)).toEqual(["attempt 3"]);

    attempts = 0;
    const last = await ctx.db
      .transaction(
        async () => {
          attempts += 1;
          throw new DeadlockError(`conflict ${attempts}`, { backend: "test" });
        },
        { retries: 1 },
      )
      .catch((err: unknown) => err);
    expect(attempts).toBe(2);
    expect((last as Error).message).toContain("conflict 2");

    attempts = 0;
    const plain = new Error("not retryable");
    const thrown = await ctx.db
      .transaction(
        async () => {
          attempts += 1;
          throw plain;
        },
        { retries: 5 },
      )
      .catch((err: unknown) => err);
    expect(thrown).toBe(plain);
    expect(attempts).toBe(1);
    await expectSqlError(() => ctx.db.transaction(async () => 1, { retries: -1 }), "INVALID_ARGUMENT");
    await expectSqlError(() => ctx.db.transaction(async () => 1, { retries: 1.5 }), "INVALID_ARGUMENT");
    await expectSqlError(() => ctx.db.transaction("nope" as never), "INVALID_ARGUMENT");
  });
}
