import pg from "pg";
import type { ScalingProtocol } from "./scaling-operations.js";
import { POSTGRES_URL, type Target } from "./targets.js";

// The tables each protocol's scaling store fills (postgres backend schema, see its tables.sql).
const TABLES: Record<ScalingProtocol, readonly string[]> = {
  cache: ["cache_entries"],
  queue: ["queue_entries", "queue_topics"],
  records: ["records"],
};

/**
 * Brings a freshly filled store to the state an operator leaves it in after a bulk load,
 * before it is measured, and returns the seconds that took (0 where nothing is needed).
 *
 * PostgreSQL: `VACUUM (ANALYZE)` on the tables the fill wrote, what the PostgreSQL manual
 * asks for after a bulk load ("Populating a Database") and what autovacuum does on its own
 * once enough rows went in (on this bench's server autovacuum is off, so nothing would).
 * Without it the measurement saw a table no long-lived database has: no statistics (the
 * planner guessed, e.g. a filtered page intersected a bitmap of the whole collection), no
 * visibility map (a count by layer read every heap page instead of an index-only scan),
 * and every row's hint bits still unset. Then `CHECKPOINT`, so the first reads do not have
 * to write out the pages the load left dirty to make room (benchmark hygiene: the bulk
 * load's I/O is not what the section measures). Other backends need nothing.
 *
 * @example
 * ```ts
 * const seconds = await steadyState(target, "records");
 * ```
 */
export async function steadyState(target: Target, protocol: ScalingProtocol): Promise<number> {
  if (target.name !== "postgres") return 0;
  const started = performance.now();
  const schema = String(target.opener.options.schema).replaceAll('"', '""');
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const table of TABLES[protocol]) await client.query(`VACUUM (ANALYZE) "${schema}".${table}`);
    // The load (and the vacuum) left shared buffers full of dirty pages that the
    // checkpointer writes out over minutes; until then the first reads evict them and write
    // them themselves. Writing them now keeps the load's I/O out of the measurement.
    // Needs superuser or pg_checkpoint (PostgreSQL 15); without either, measure as is.
    await client.query("CHECKPOINT").catch((err: { code?: string }) => {
      if (err.code !== "42501") throw err;
    });
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}
