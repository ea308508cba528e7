import { sql, TransactionError } from "@core/protocols";
import { expect, test } from "vitest";
import { countRows, expectSqlError, idNameColumns, type SqlContext } from "./context.js";

type Table = ReturnType<typeof sql.id>;

async function names(db: { query<R>(q: ReturnType<typeof sql>): Promise<R[]> }, t: Table): Promise<string[]> {
  const rows = await db.query<{ name: string }>(sql`select name from ${t} order by id`);
  return rows.map((r) => r.name);
}

/**
 * Explicit transactions (`db.begin()`): commit, rollback, `await using`, misuse after the
 * end, options, isolation from other callers, nesting, and close.
 *
 * @example
 * ```ts
 * registerSqlExplicitTransactions(ctx);
 * ```
 */
export function registerSqlExplicitTransactions(ctx: SqlContext): void {
  test("begin/commit: statements run in the transaction and persist after commit", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const tx = await ctx.db.begin();
    expect(tx.state).toBe("open");
    expect(tx.dialect).toBe(ctx.db.dialect);
    await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
    expect(await names(tx, t)).toEqual(["a"]);
    await tx.commit();
    expect(tx.state).toBe("committed");
    expect(await names(ctx.db, t)).toEqual(["a"]);
  });

  test("rollback undoes everything since begin", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const tx = await ctx.db.begin();
    await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
    await tx.rollback();
    expect(tx.state).toBe("rolled back");
    expect(await countRows(ctx.db, t)).toBe(0);
  });

  test("await using (and try/finally) rolls back a transaction left open, and is a no-op after commit", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    let leaked: Awaited<ReturnType<typeof ctx.db.begin>> | undefined;
    {
      await using tx = await ctx.db.begin();
      leaked = tx;
      await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"forgotten"})`);
    }
    expect(leaked?.state).toBe("rolled back");
    expect(await countRows(ctx.db, t)).toBe(0);

    const thrown = await (async () => {
      await using tx = await ctx.db.begin();
      await tx.execute(sql`insert into ${t} (id, name) values (${2}, ${"failed"})`);
      throw new Error("boom");
    })().catch((err: unknown) => err);
    expect((thrown as Error).message).toBe("boom");
    expect(await countRows(ctx.db, t)).toBe(0);

    // Plain JavaScript: try/finally with the same dispose method.
    const tx = await ctx.db.begin();
    try {
      await tx.execute(sql`insert into ${t} (id, name) values (${3}, ${"kept"})`);
      await tx.commit();
    } finally {
      await tx[Symbol.asyncDispose]();
    }
    expect(tx.state).toBe("committed");
    expect(await names(ctx.db, t)).toEqual(["kept"]);
  });

  test("a finished transaction refuses every call with TransactionError INVALID_ARGUMENT", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    for (const finish of ["commit", "rollback"] as const) {
      const tx = await ctx.db.begin();
      await tx[finish]();
      const err = await expectSqlError(() => tx.query(sql`select * from ${t}`), "INVALID_ARGUMENT", TransactionError);
      expect(err.message).toMatch(finish === "commit" ? /already committed/ : /already rolled back/);
      await expectSqlError(() => tx.execute(sql`delete from ${t}`), "INVALID_ARGUMENT", TransactionError);
      await expectSqlError(() => tx.transaction(async () => 1), "INVALID_ARGUMENT", TransactionError);
      await expectSqlError(() => tx.commit(), "INVALID_ARGUMENT", TransactionError);
      await expectSqlError(() => tx.rollback(), "INVALID_ARGUMENT", TransactionError);
      await expectSqlError(() => tx.savepoint("a"), "INVALID_ARGUMENT", TransactionError);
      await tx[Symbol.asyncDispose]();
    }
    // The database is free again.
    await ctx.db.execute(sql`insert into ${t} (id, name) values (${1}, ${"after"})`);
    expect(await names(ctx.db, t)).toEqual(["after"]);
  });

  test("statements issued before commit run in the transaction; commit waits for them", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const tx = await ctx.db.begin();
    const inserts = Array.from({ length: 5 }, (_, i) =>
      tx.execute(sql`insert into ${t} (id, name) values (${i}, ${`n${i}`})`),
    );
    await tx.commit();
    await Promise.all(inserts);
    expect(await countRows(ctx.db, t)).toBe(5);
  });

  test("begin options: isolationLevel and readOnly are honoured, bad options rejected before BEGIN", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    for (const level of ctx.caps.isolationLevels) {
      const tx = await ctx.db.begin({ isolationLevel: level });
      if (ctx.dialectName === "postgres") {
        const [row] = await tx.query<{ level: string }>(sql`select current_setting('transaction_isolation') as level`);
        expect(row?.level).toBe(level);
      }
      await tx.execute(sql`insert into ${t} (id, name) values (${ctx.caps.isolationLevels.indexOf(level)}, ${level})`);
      await tx.commit();
    }
    expect(await countRows(ctx.db, t)).toBe(ctx.caps.isolationLevels.length);

    const ro = await ctx.db.begin({ readOnly: true });
    expect(await countRows(ro, t)).toBe(ctx.caps.isolationLevels.length);
    await expectSqlError(() => ro.execute(sql`delete from ${t}`), "INVALID_ARGUMENT");
    await ro.rollback();
    // Writable again afterwards.
    await ctx.db.execute(sql`delete from ${t}`);
    expect(await countRows(ctx.db, t)).toBe(0);

    await expectSqlError(() => ctx.db.begin({ isolationLevel: "chaos" as never }), "INVALID_ARGUMENT");
    await expectSqlError(() => ctx.db.begin({ readOnly: "yes" as never }), "INVALID_ARGUMENT");
    await expectSqlError(() => ctx.db.begin({ retries: 3 } as never), "INVALID_ARGUMENT");
    const unsupported = (["read uncommitted", "read committed", "repeatable read", "serializable"] as const).filter(
      (level) => !ctx.caps.isolationLevels.includes(level),
    );
    for (const level of unsupported) {
      await expectSqlError(() => ctx.db.begin({ isolationLevel: level }), "NOT_SUPPORTED");
    }
    // None of the refused begins left a transaction open.
    await ctx.db.execute(sql`insert into ${t} (id, name) values (${1}, ${"free"})`);
  });

  test("other callers see an open transaction's work only after commit (sqlite: they wait for it)", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const tx = await ctx.db.begin();
    await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
    if (ctx.dialectName === "sqlite") {
      // One connection: the outside read waits for the mutex the transaction holds.
      let settled = false;
      const outside = countRows(ctx.db, t).then((n) => {
        settled = true;
        return n;
      });
      await tx.execute(sql`insert into ${t} (id, name) values (${2}, ${"b"})`);
      expect(settled).toBe(false);
      await tx.commit();
      expect(await outside).toBe(2);
    } else {
      expect(await countRows(ctx.db, t)).toBe(0);
      await tx.commit();
      expect(await countRows(ctx.db, t)).toBe(1);
    }
  });

  test("transaction(fn) inside an explicit transaction is a savepoint", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const tx = await ctx.db.begin();
    await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"outer"})`);
    await tx
      .transaction(async (sp) => {
        await sp.execute(sql`insert into ${t} (id, name) values (${2}, ${"inner"})`);
        throw new Error("undo inner");
      })
      .catch(() => undefined);
    await tx.transaction((sp) => sp.execute(sql`insert into ${t} (id, name) values (${3}, ${"kept"})`));
    // Using the outer transaction from inside its nested callback would wait forever.
    await tx.transaction(async () => {
      await expectSqlError(() => tx.commit(), "INVALID_ARGUMENT", TransactionError);
      await expectSqlError(() => tx.savepoint("x"), "INVALID_ARGUMENT", TransactionError);
    });
    await tx.commit();
    expect(await names(ctx.db, t)).toEqual(["outer", "kept"]);
  });

  test("closing the backend rolls back an open explicit transaction", async () => {
    const backend = await ctx.options.open();
    const db = backend.sql();
    const t = await ctx.table(idNameColumns(db), db);
    const tx = await db.begin();
    await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"lost"})`);
    await backend.close();
    expect(tx.state).toBe("rolled back");
    await expectSqlError(() => tx.query(sql`select 1 as one`), "INVALID_ARGUMENT", TransactionError);
  });
}
