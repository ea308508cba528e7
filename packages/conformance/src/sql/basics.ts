import { sql } from "@core/protocols";
import { expect, test } from "vitest";
import { countRows, expectSqlError, idNameColumns, type SqlContext } from "./context.js";

const INJECTIONS = [
  "'); drop table users; --",
  "' or '1'='1",
  '" or 1=1 --',
  "Robert'); DROP TABLE students;--",
  "?",
  "$1",
  "\\'",
  "unicode ✓ 雪 \u{1F600}",
];

/**
 * execute/query with the tag and raw text, affectedRows, lastInsertId/returning, values
 * always parameters.
 *
 * @example
 * ```ts
 * registerSqlBasics(ctx);
 * ```
 */
export function registerSqlBasics(ctx: SqlContext): void {
  test("execute and query with the sql tag", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    await ctx.db.execute(sql`insert into ${t} (id, name) values (${1}, ${"ann"}), (${2}, ${"bob"})`);
    const rows = await ctx.db.query<{ id: number; name: string }>(
      sql`select id, name from ${t} where id >= ${1} order by id`,
    );
    expect(rows).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
    ]);
    const one = await ctx.db.query(sql`select name from ${t} where ${sql.id("name")} = ${"bob"}`);
    expect(one).toEqual([{ name: "bob" }]);
    expect(await ctx.db.query(sql`select name from ${t} where id = ${99}`)).toEqual([]);
  });

  test("raw text in the native dialect with its placeholders", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const d = ctx.db.dialect;
    const table = t.toQuery(d).text;
    const insert = `insert into ${table} (id, name) values (${d.placeholder(1)}, ${d.placeholder(2)})`;
    const result = await ctx.db.execute({ text: insert, params: [7, "raw"] });
    expect(result.affectedRows).toBe(1);
    const rows = await ctx.db.query({ text: `select name from ${table} where id = ${d.placeholder(1)}`, params: [7] });
    expect(rows).toEqual([{ name: "raw" }]);
    expect(await ctx.db.query({ text: `select count(*) as n from ${table}` })).toHaveLength(1);
  });

  test("affectedRows counts inserted, updated and deleted rows", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    const ins = await ctx.db.execute(
      sql`insert into ${t} (id, name) values (${1}, ${"a"}), (${2}, ${"b"}), (${3}, ${"c"})`,
    );
    expect(ins.affectedRows).toBe(3);
    const upd = await ctx.db.execute(sql`update ${t} set name = ${"z"} where id <= ${2}`);
    expect(upd.affectedRows).toBe(2);
    const none = await ctx.db.execute(sql`update ${t} set name = ${"z"} where id = ${42}`);
    expect(none.affectedRows).toBe(0);
    const del = await ctx.db.execute(sql`delete from ${t} where name = ${"z"}`);
    expect(del.affectedRows).toBe(2);
    expect(await countRows(ctx.db, t)).toBe(1);
  });

  test("lastInsertId (sqlite) and RETURNING rows", async () => {
    const d = ctx.db.dialect;
    if (ctx.dialectName === "sqlite") {
      // INTEGER PRIMARY KEY is the rowid: lastInsertId is the generated id.
      const t = await ctx.table("id integer primary key, name text");
      const first = await ctx.db.execute(sql`insert into ${t} (name) values (${"a"})`);
      const second = await ctx.db.execute(sql`insert into ${t} (name) values (${"b"})`);
      expect(Number(first.lastInsertId)).toBeGreaterThan(0);
      expect(Number(second.lastInsertId)).toBe(Number(first.lastInsertId) + 1);
      const rows = await ctx.db.query<{ name: string }>(sql`select name from ${t} where id = ${second.lastInsertId}`);
      expect(rows).toEqual([{ name: "b" }]);
    }
    expect(d.supportsReturning).toBe(true);
    const t = await ctx.table(idNameColumns(ctx.db));
    const result = await ctx.db.execute<{ id: number; name: string }>(
      sql`insert into ${t} (id, name) values (${10}, ${"x"}), (${11}, ${"y"}) returning id, name`,
      { returning: true },
    );
    expect(result.affectedRows).toBe(2);
    expect([...result.rows].sort((a, b) => a.id - b.id)).toEqual([
      { id: 10, name: "x" },
      { id: 11, name: "y" },
    ]);
    const updated = await ctx.db.execute(sql`update ${t} set name = ${"w"} where id = ${10} returning id`);
    expect(updated.rows).toEqual([{ id: 10 }]);
    expect(updated.affectedRows).toBe(1);
  });

  test("values are always parameters: injection strings are stored verbatim", async () => {
    const t = await ctx.table(idNameColumns(ctx.db));
    for (const [i, evil] of INJECTIONS.entries()) {
      await ctx.db.execute(sql`insert into ${t} (id, name) values (${i}, ${evil})`);
    }
    const rows = await ctx.db.query<{ name: string }>(sql`select name from ${t} order by id`);
    expect(rows.map((r) => r.name)).toEqual(INJECTIONS);
    for (const evil of INJECTIONS) {
      expect(await ctx.db.query(sql`select id from ${t} where name = ${evil}`)).toHaveLength(1);
    }
    expect(await ctx.db.query(sql`select id from ${t} where name = ${"' or '1'='1' --"}`)).toEqual([]);
    expect(await countRows(ctx.db, t)).toBe(INJECTIONS.length);
  });

  test("IN lists through sql.join, identifiers that need quoting", async () => {
    const t = await ctx.table(
      `"select" ${ctx.db.types.columnType("integer")}, "we""ird col" ${ctx.db.types.columnType("text")}`,
    );
    for (const i of [1, 2, 3, 4]) {
      await ctx.db.execute(
        sql`insert into ${t} (${sql.id("select")}, ${sql.id('we"ird col')}) values (${i}, ${`v${i}`})`,
      );
    }
    const wanted = [2, 4];
    const rows = await ctx.db.query<{ v: string }>(
      sql`select ${sql.id('we"ird col')} as v from ${t} where ${sql.id("select")} in (${sql.join(wanted.map((w) => sql`${w}`))}) order by 1`,
    );
    expect(rows.map((r) => r.v)).toEqual(["v2", "v4"]);
  });

  test("bad query input is rejected with INVALID_ARGUMENT before running", async () => {
    await expectSqlError(() => ctx.db.query("select 1" as never), "INVALID_ARGUMENT");
    await expectSqlError(() => ctx.db.execute({ text: "select 1", params: "x" as never }), "INVALID_ARGUMENT");
    await expectSqlError(() => ctx.db.execute(sql`select ${null}`, { returning: "yes" as never }), "INVALID_ARGUMENT");
  });
}
