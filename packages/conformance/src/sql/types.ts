import type { DatabaseType } from "@core/protocols";
import { sql } from "@core/protocols";
import { expect, test } from "vitest";
import { expectSqlError, type SqlContext } from "./context.js";

type Sample = {
  type: DatabaseType;
  params?: { length?: number; precision?: number; scale?: number };
  values: unknown[];
};

/** Two values per type (rows 1 and 2); row 3 is all NULL. */
const SAMPLES: Sample[] = [
  { type: "integer", values: [-42, 2_147_483_647] },
  { type: "bigint", values: [2n ** 60n + 7n, -(2n ** 62n)] },
  { type: "float", values: [3.25, -1e-10] },
  { type: "decimal", params: { precision: 38, scale: 9 }, values: ["12345678901234567890.123456789", "-0.000000001"] },
  { type: "varchar", params: { length: 40 }, values: ["héllo ✓", ""] },
  { type: "text", values: ["line1\nline2 'single' \"double\" 雪 \u{1F600}", "x".repeat(5000)] },
  { type: "date", values: ["2024-02-29", "1970-01-01"] },
  { type: "time", values: ["13:45:30.123", "00:00:00"] },
  { type: "datetime", values: [new Date("2024-02-29T13:45:30.123Z"), new Date(0)] },
  { type: "boolean", values: [true, false] },
  { type: "json", values: [{ a: [1, { b: "c" }], n: null, t: true, s: "é" }, [1, "two", { three: 3 }]] },
  {
    type: "array",
    values: [
      [1, 2.5, -3],
      ["a", "b'c", ""],
    ],
  },
  { type: "uuid", values: ["0b6f3a0e-8d6c-4a51-9a3e-6f1c2b7d9e01", "00000000-0000-0000-0000-000000000000"] },
  { type: "blob", values: [new Uint8Array([0, 1, 2, 127, 128, 255, 0]), new Uint8Array([])] },
];

function column(type: DatabaseType): string {
  return `c_${type}`;
}

function expectSame(type: DatabaseType, actual: unknown, expected: unknown): void {
  if (expected instanceof Uint8Array) {
    expect(actual).toBeInstanceOf(Uint8Array);
    expect(Array.from(actual as Uint8Array)).toEqual(Array.from(expected));
    return;
  }
  if (expected instanceof Date) {
    expect(actual).toBeInstanceOf(Date);
    expect((actual as Date).toISOString()).toBe(expected.toISOString());
    return;
  }
  expect(typeof actual, `${type} keeps its JS type`).toBe(typeof expected);
  expect(actual, `${type} round-trips`).toEqual(expected);
}

/**
 * Column DDL for every portable type, identical round trips through the type mapper, and
 * values the mapper must refuse.
 *
 * @example
 * ```ts
 * registerSqlTypes(ctx);
 * ```
 */
export function registerSqlTypes(ctx: SqlContext): void {
  test("columnType gives accepted DDL and every type round-trips identically", async () => {
    const { types } = ctx.db;
    const columns = SAMPLES.map((s) => `${column(s.type)} ${types.columnType(s.type, s.params)}`).join(", ");
    const t = await ctx.table(`id ${types.columnType("integer")} primary key, ${columns}`);
    const names = sql.join(SAMPLES.map((s) => sql.id(column(s.type))));
    for (const row of [0, 1]) {
      const values = sql.join(SAMPLES.map((s) => sql`${types.toDatabase(s.values[row], s.type)}`));
      await ctx.db.execute(sql`insert into ${t} (id, ${names}) values (${row}, ${values})`);
    }
    const nulls = sql.join(SAMPLES.map((s) => sql`${types.toDatabase(null, s.type)}`));
    await ctx.db.execute(sql`insert into ${t} (id, ${names}) values (${2}, ${nulls})`);

    const rows = await ctx.db.query<Record<string, unknown>>(sql`select * from ${t} order by id`);
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      for (const sample of SAMPLES) {
        const value = types.fromDatabase(row[column(sample.type)], sample.type);
        if (i === 2) expect(value, `${sample.type} NULL`).toBeNull();
        else expectSame(sample.type, value, sample.values[i]);
      }
    }
  });

  test("values compare as parameters against their own column type", async () => {
    const { types } = ctx.db;
    const t = await ctx.table(
      `id ${types.columnType("integer")} primary key, big ${types.columnType("bigint")}, at ${types.columnType("datetime")}, flag ${types.columnType("boolean")}`,
    );
    const big = 2n ** 60n + 1n;
    const at = new Date("2030-01-02T03:04:05.678Z");
    await ctx.db.execute(
      sql`insert into ${t} (id, big, at, flag) values (${1}, ${types.toDatabase(big, "bigint")}, ${types.toDatabase(at, "datetime")}, ${types.toDatabase(true, "boolean")})`,
    );
    const rows = await ctx.db.query<{ id: number }>(
      sql`select id from ${t} where big = ${types.toDatabase(big, "bigint")} and at = ${types.toDatabase(at, "datetime")} and flag = ${types.toDatabase(true, "boolean")}`,
    );
    expect(rows.map((r) => Number(r.id))).toEqual([1]);
    const none = await ctx.db.query(sql`select id from ${t} where big = ${types.toDatabase(big + 1n, "bigint")}`);
    expect(none).toEqual([]);
  });

  test("the type mapper rejects values that do not fit the type", async () => {
    const { types } = ctx.db;
    await expectSqlError(() => types.toDatabase("abc", "integer"), "INVALID_ARGUMENT");
    await expectSqlError(() => types.toDatabase(1.5, "integer"), "INVALID_ARGUMENT");
    await expectSqlError(() => types.toDatabase("yes", "boolean"), "INVALID_ARGUMENT");
    await expectSqlError(() => types.toDatabase(new Date(Number.NaN), "datetime"), "INVALID_ARGUMENT");
    await expectSqlError(() => types.toDatabase("12x", "decimal"), "INVALID_ARGUMENT");
    await expectSqlError(() => types.toDatabase("not-a-uuid", "uuid"), "INVALID_ARGUMENT");
    await expectSqlError(() => types.toDatabase("2024-13-45", "date"), "INVALID_ARGUMENT");
    await expectSqlError(() => types.toDatabase({ a: 1 }, "array"), "INVALID_ARGUMENT");
    await expectSqlError(() => types.columnType("money" as never), "INVALID_ARGUMENT");
    await expectSqlError(() => types.columnType("varchar", { length: 0 }), "INVALID_ARGUMENT");
  });
}
