import { describe, expect, it } from "vitest";
import { postgresDialect, quoteIdentifier, sqliteDialect } from "./dialects.js";
import { BackendError } from "./errors.js";
import { type SqlFragment, sql, toCompiledQuery } from "./sql-tag.js";

const INJECTIONS = ["'; drop table users; --", '" or 1=1 --', "?", "$1", "\\", "\u0000", "$" + "{x}"];

function expectInvalid(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe("INVALID_ARGUMENT");
    return;
  }
  throw new Error("expected INVALID_ARGUMENT");
}

describe("sql tag", () => {
  it("turns every value into a parameter, injection strings included", () => {
    for (const evil of INJECTIONS) {
      const q = sql`select * from t where a = ${evil}`;
      expect(q.toQuery(sqliteDialect)).toEqual({ text: "select * from t where a = ?", params: [evil] });
      expect(q.toQuery(postgresDialect)).toEqual({ text: "select * from t where a = $1", params: [evil] });
    }
  });

  it("keeps 0, '', false and null as parameters and rejects undefined", () => {
    expect(sql`${0}${""}${false}${null}`.toQuery(sqliteDialect).params).toEqual([0, "", false, null]);
    expectInvalid(() => sql`select ${undefined}`);
  });

  it("rejects a template whose text has an invalid escape (no cooked string)", () => {
    // What the engine passes for sql`select \unicode ${1}`: cooked text undefined, raw kept.
    const strings = Object.assign([undefined, ""], { raw: ["select \\unicode ", ""] });
    expectInvalid(() => sql(strings as unknown as TemplateStringsArray, 1));
  });

  it("binds an array as one parameter, never expanding it", () => {
    const q = sql`select * from t where id = any(${[1, 2, 3]})`.toQuery(postgresDialect);
    expect(q).toEqual({ text: "select * from t where id = any($1)", params: [[1, 2, 3]] });
  });

  it("quotes identifiers, doubling quotes, with dotted parts", () => {
    expect(sql`select * from ${sql.id('we"ird')}`.toQuery(sqliteDialect).text).toBe('select * from "we""ird"');
    expect(sql`${sql.id("app", "users")}`.toQuery(postgresDialect).text).toBe('"app"."users"');
    expect(sql`${sql.id("a.b")}`.toQuery(postgresDialect).text).toBe('"a.b"');
    expect(sql`${sql.id('x"; drop table t; --')}`.toQuery(sqliteDialect)).toEqual({
      text: '"x""; drop table t; --"',
      params: [],
    });
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });

  it("rejects empty identifiers, NUL and (postgres) names longer than 63 bytes", () => {
    expectInvalid(() => sql.id(""));
    expectInvalid(() => sql.id("a\u0000b"));
    expectInvalid(() => sql.id());
    expectInvalid(() => quoteIdentifier(""));
    expectInvalid(() => sqliteDialect.quoteIdentifier("x\u0000"));
    expectInvalid(() => postgresDialect.quoteIdentifier("x".repeat(64)));
    expect(postgresDialect.quoteIdentifier("x".repeat(63))).toBe(`"${"x".repeat(63)}"`);
  });

  it("numbers postgres placeholders across nested fragments", () => {
    const where = sql`where a = ${1} and b = ${sql`${2}`}`;
    const q = sql`select ${"x"} from ${sql.id("t")} ${where} limit ${3}`.toQuery(postgresDialect);
    expect(q).toEqual({ text: 'select $1 from "t" where a = $2 and b = $3 limit $4', params: ["x", 1, 2, 3] });
    // A fragment compiles the same way each time, even when reused twice in one query.
    const twice = sql`${where} or ${where}`.toQuery(postgresDialect);
    expect(twice.text).toBe("where a = $1 and b = $2 or where a = $3 and b = $4");
    expect(twice.params).toEqual([1, 2, 1, 2]);
  });

  it("inserts sql.raw verbatim and joins fragments", () => {
    const list = sql.join([1, 2, 3].map((v) => sql`${v}`));
    expect(sql`in (${list}) order by id ${sql.raw("desc")}`.toQuery(postgresDialect)).toEqual({
      text: "in ($1, $2, $3) order by id desc",
      params: [1, 2, 3],
    });
    expect(sql.join([sql`a`, sql`b`], sql` and `).toQuery(sqliteDialect).text).toBe("a and b");
    expect(sql.join([]).toQuery(sqliteDialect)).toEqual({ text: "", params: [] });
    expectInvalid(() => sql.join([1 as unknown as SqlFragment]));
    expectInvalid(() => sql.raw(1 as unknown as string));
  });

  it("rejects being called as a function", () => {
    expectInvalid(() => (sql as unknown as (s: string) => unknown)("select 1"));
  });

  it("toCompiledQuery accepts fragments, compiled queries and raw text", () => {
    expect(toCompiledQuery(sql`select ${1}`, postgresDialect)).toEqual({ text: "select $1", params: [1] });
    expect(toCompiledQuery({ text: "select ?", params: [2] }, sqliteDialect)).toEqual({
      text: "select ?",
      params: [2],
    });
    expect(toCompiledQuery({ text: "select 1" }, sqliteDialect)).toEqual({ text: "select 1", params: [] });
    expectInvalid(() => toCompiledQuery("select 1" as never, sqliteDialect));
    expectInvalid(() => toCompiledQuery({ text: "select ?", params: 1 as never }, sqliteDialect));
    expectInvalid(() => toCompiledQuery({ text: "  " }, sqliteDialect));
    expectInvalid(() => toCompiledQuery(null as never, sqliteDialect));
  });
});
