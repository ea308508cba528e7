import { type SqlExecutor, sql } from "@core/protocols";
import { expect, test } from "vitest";
import type { SqlContext } from "./context.js";

async function setting(db: Pick<SqlExecutor, "query" | "dialect">, name: string): Promise<string> {
  if (db.dialect.name === "postgres") {
    const rows = await db.query<{ value: string }>(sql`select current_setting(${name}) as value`);
    return String(rows[0]?.value);
  }
  // A pragma name is not a parameter; the suite's own settings names are identifiers.
  const rows = await db.query<Record<string, unknown>>(sql`pragma ${sql.raw(name)}`);
  return String(Object.values(rows[0] ?? {})[0]);
}

/**
 * Connection options reach every connection the SQL layer uses: plain statements,
 * callback transactions and explicit ones (on postgres each may be a different pooled
 * connection). Registered when the backend's test gives `sqlConnection`.
 *
 * @example
 * ```ts
 * registerSqlConnection(ctx);
 * ```
 */
export function registerSqlConnection(ctx: SqlContext): void {
  const connection = ctx.options.sqlConnection;
  if (connection === undefined) return;
  test("connection options reach statements, transactions and explicit transactions", async () => {
    const backend = await connection.open();
    try {
      const db = backend.sql();
      const expected = Object.entries(connection.settings).map(([name, value]) => [name, String(value)]);
      expect(expected.length).toBeGreaterThan(0);
      for (const [name, value] of expected) {
        expect(await setting(db, name as string), name).toBe(value);
        expect(await db.transaction((tx) => setting(tx, name as string)), name).toBe(value);
        const tx = await db.begin();
        try {
          expect(await setting(tx, name as string), name).toBe(value);
        } finally {
          await tx.rollback();
        }
      }
    } finally {
      await backend.close();
    }
  });
}
