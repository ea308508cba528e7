import { readFileSync } from "node:fs";
import { quoteIdentifier } from "@core/protocols/kit";
import type { Pool } from "pg";
import { guard } from "./errors.js";

let template: string | undefined;

// A real .sql file next to this module (copied into dist by the build).
function tables(): string {
  template ??= readFileSync(new URL("./schema/tables.sql", import.meta.url), "utf8");
  return template;
}

/**
 * The DDL of one backend schema, with the schema quoted in.
 *
 * @example
 * ```ts
 * const ddl = schemaSql('"core"', { unloggedCache: true });
 * ```
 */
export function schemaSql(quotedSchema: string, options: { unloggedCache: boolean }): string {
  return tables()
    .replaceAll("{{schema}}", quotedSchema)
    .replaceAll("{{unlogged}}", options.unloggedCache ? "UNLOGGED" : "");
}

/**
 * Creates the schema and its tables if missing. Safe when several processes open the
 * same schema at once: the DDL runs in a transaction holding an advisory lock keyed by
 * the schema name, so `CREATE … IF NOT EXISTS` never races on the catalog.
 *
 * @example
 * ```ts
 * await ensureSchema(pool, "core", { unloggedCache: false });
 * ```
 */
export async function ensureSchema(pool: Pool, schema: string, options: { unloggedCache: boolean }): Promise<void> {
  const ddl = schemaSql(quoteIdentifier(schema), options);
  await guard("open", async () => {
    const client = await pool.connect();
    let ok = false;
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`@core/backend-postgres:${schema}`]);
      await client.query(ddl);
      await client.query("COMMIT");
      ok = true;
    } finally {
      if (!ok) await client.query("ROLLBACK").catch(() => {});
      client.release(!ok);
    }
  });
}
