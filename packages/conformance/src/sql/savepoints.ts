import { sql } from "@core/protocols";
import { expect, test } from "vitest";
import { expectSqlError, idNameColumns, type SqlContext } from "./context.js";

/**
 * Named savepoints of an explicit transaction: `savepoint`, `rollbackTo`, `release`, name
 * validation and unknown names.
 *
 * @example
 * ```ts
 * registerSqlSavepoints(ctx);
 * ```
 */
export function registerSqlSavepoints(ctx: SqlContext): void {
  test("rollbackTo undoes the work since a named savepoint and keeps it open; release keeps the work", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const insert = (id: number, name: string) => sql`insert into ${t} (id, name) values (${id}, ${name})`;
    const tx = await ctx.db.begin();
    await tx.execute(insert(1, "a"));
    await tx.savepoint("first");
    await tx.execute(insert(2, "b"));
    await tx.savepoint("second");
    await tx.execute(insert(3, "c"));
    await tx.rollbackTo("FIRST"); // names compare case-insensitively
    // "second" went with the rollback; "first" is still open and can be rolled back to again.
    await expectSqlError(() => tx.release("second"), "INVALID_ARGUMENT");
    await tx.execute(insert(4, "d"));
    await tx.rollbackTo("first");
    await tx.execute(insert(5, "e"));
    await tx.release("first");
    await expectSqlError(() => tx.rollbackTo("first"), "INVALID_ARGUMENT");
    await tx.commit();
    const rows = await ctx.db.query<{ name: string }>(sql`select name from ${t} order by id`);
    expect(rows.map((r) => r.name)).toEqual(["a", "e"]);
  });

  test("a reused savepoint name addresses the newest one; a failed statement is undone by rollbackTo", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const insert = (id: number, name: string) => sql`insert into ${t} (id, name) values (${id}, ${name})`;
    const tx = await ctx.db.begin();
    await tx.savepoint("sp");
    await tx.execute(insert(1, "a"));
    await tx.savepoint("sp");
    await tx.execute(insert(2, "b"));
    await tx.rollbackTo("sp");
    await expectSqlError(() => tx.execute(insert(1, "duplicate")), "CONFLICT");
    // After a failed statement (postgres marks the transaction aborted) the savepoint recovers it.
    await tx.rollbackTo("sp");
    await tx.execute(insert(3, "c"));
    await tx.commit();
    const rows = await ctx.db.query<{ name: string }>(sql`select name from ${t} order by id`);
    expect(rows.map((r) => r.name)).toEqual(["a", "c"]);
  });

  test("savepoint names are validated and unknown names are INVALID_ARGUMENT, before any SQL", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const tx = await ctx.db.begin();
    await tx.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
    for (const bad of ["", "1st", "has space", 'q"uote', "semi;colon", "x".repeat(64), 7 as never]) {
      await expectSqlError(() => tx.savepoint(bad), "INVALID_ARGUMENT");
    }
    for (const reserved of ["select", "_under", "x".repeat(63)]) await tx.savepoint(reserved);
    const unknown = await expectSqlError(() => tx.rollbackTo("never_opened"), "INVALID_ARGUMENT");
    expect(unknown.message).toContain("never_opened");
    await expectSqlError(() => tx.release("never_opened"), "INVALID_ARGUMENT");
    // The transaction is intact after the refusals.
    await tx.commit();
    const rows = await ctx.db.query<{ name: string }>(sql`select name from ${t}`);
    expect(rows).toEqual([{ name: "a" }]);
  });
}
