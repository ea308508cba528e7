import { invalidArgument } from "@core/protocols/kit";
import { stringField } from "./http-errors.js";
import type { Router } from "./router.js";
import type { PlaygroundSession } from "./session.js";

const MAX_ROWS = 500;
// Statements that produce rows; anything else runs through execute() for affectedRows.
const READS = /^\s*(select|with|values|pragma|show|explain|table)\b/i;

/**
 * The SQL console: `POST /api/sql { text }` runs one statement on the chosen SQL backend
 * (sqlite or postgres; other backends answer NOT_SUPPORTED) and returns columns and rows.
 *
 * @example
 * ```ts
 * sqlRoutes(router, session);
 * // POST /api/sql { "text": "select 1 + 1 as two" }
 * ```
 */
export function sqlRoutes(router: Router, session: PlaygroundSession): void {
  router.add("POST", "/api/sql", async (ctx) => {
    const text = stringField(await ctx.body(), "text");
    if (text.length > 100_000) throw invalidArgument("playground", "statement is longer than 100 000 characters");
    return session.timed("sql", READS.test(text) ? "query" : "execute", async (backend) => {
      const db = backend.sql();
      const result = READS.test(text)
        ? { rows: await db.query({ text, params: [] }), affectedRows: 0 }
        : await db.execute({ text, params: [] });
      const rows = result.rows.slice(0, MAX_ROWS);
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
      return {
        dialect: db.dialect.name,
        columns,
        rows,
        rowCount: result.rows.length,
        affectedRows: result.affectedRows,
        truncated: result.rows.length > MAX_ROWS,
      };
    });
  });
}
