import { BackendError, IntegrityError, QueryError, sql } from "@core/protocols";
import { expect, test } from "vitest";
import { expectSqlError, type SqlContext } from "./context.js";

/**
 * Driver errors mapped onto the hierarchy, each a `BackendError` keeping the driver error.
 *
 * @example
 * ```ts
 * registerSqlErrors(ctx);
 * ```
 */
export function registerSqlErrors(ctx: SqlContext): void {
  test("constraint violations are IntegrityError (CONFLICT) with the driver error as cause", async () => {
    const { types } = ctx.db;
    const int = types.columnType("integer");
    const parent = await ctx.table(`id ${int} primary key`);
    const child = await ctx.table(
      `id ${int} primary key, parent_id ${int} references ${parent.toQuery(ctx.db.dialect).text}(id), name ${types.columnType("text")} not null unique, qty ${int} check (qty > 0)`,
    );
    await ctx.db.execute(sql`insert into ${parent} (id) values (${1})`);
    await ctx.db.execute(sql`insert into ${child} (id, parent_id, name, qty) values (${1}, ${1}, ${"a"}, ${1})`);
    const violations = [
      sql`insert into ${child} (id, parent_id, name, qty) values (${1}, ${1}, ${"b"}, ${1})`, // primary key
      sql`insert into ${child} (id, parent_id, name, qty) values (${2}, ${1}, ${"a"}, ${1})`, // unique
      sql`insert into ${child} (id, parent_id, name, qty) values (${3}, ${1}, ${null}, ${1})`, // not null
      sql`insert into ${child} (id, parent_id, name, qty) values (${4}, ${99}, ${"d"}, ${1})`, // foreign key
      sql`insert into ${child} (id, parent_id, name, qty) values (${5}, ${1}, ${"e"}, ${0})`, // check
    ];
    for (const statement of violations) {
      const err = await expectSqlError(() => ctx.db.execute(statement), "CONFLICT", IntegrityError);
      expect(err.cause).toBeDefined();
      expect(err.retryable).toBe(false);
    }
    const [row] = await ctx.db.query<{ n: unknown }>(sql`select count(*) as n from ${child}`);
    expect(Number(row?.n)).toBe(1);
  });

  test("syntax errors and unknown tables are QueryError (INVALID_ARGUMENT)", async () => {
    for (const statement of [
      sql`selec 1`,
      sql`select * from ${sql.id("no_such_table_at_all")}`,
      { text: "select from where" },
    ]) {
      const err = await expectSqlError(() => ctx.db.query(statement), "INVALID_ARGUMENT", QueryError);
      expect(err).toBeInstanceOf(BackendError);
      expect(err.cause).toBeDefined();
    }
    const t = await ctx.table(`id ${ctx.db.types.columnType("integer")}`);
    await expectSqlError(() => ctx.db.query(sql`select nope from ${t}`), "INVALID_ARGUMENT", QueryError);
  });

  test("every call after close() rejects with CLOSED", async () => {
    const backend = await ctx.options.open();
    const db = backend.sql();
    await db.query(sql`select 1 as one`);
    await backend.close();
    await backend.close();
    await expectSqlError(() => db.query(sql`select 1`), "CLOSED");
    await expectSqlError(() => db.execute(sql`select 1`), "CLOSED");
    await expectSqlError(() => db.transaction(async () => 1), "CLOSED");
    await expectSqlError(() => backend.sql(), "CLOSED");
  });

  test("close() waits for a running transaction, which still commits", async () => {
    const backend = await ctx.options.open();
    const db = backend.sql();
    const t = await ctx.table(`id ${db.types.columnType("integer")}`, db);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let counted = -1;
    const running = db.transaction(async (tx) => {
      await tx.execute(sql`insert into ${t} (id) values (${1})`);
      await held;
      await tx.execute(sql`insert into ${t} (id) values (${2})`);
      const [row] = await tx.query<{ n: unknown }>(sql`select count(*) as n from ${t}`);
      counted = Number(row?.n);
      return "done";
    });
    await new Promise((r) => setTimeout(r, 10));
    const closing = backend.close();
    release();
    expect(await running).toBe("done");
    await closing;
    expect(counted).toBe(2);
    if (ctx.caps.crossProcess) {
      const [row] = await ctx.db.query<{ n: unknown }>(sql`select count(*) as n from ${t}`);
      expect(Number(row?.n)).toBe(2);
    }
  });
}
