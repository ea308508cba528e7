import pg from "pg";

/** The server the tests use (`POSTGRES_URL`, default the local one). */
export const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

/**
 * A schema name no other test file uses.
 *
 * @example
 * ```ts
 * const schema = testSchema();
 * ```
 */
export function testSchema(): string {
  return `t_${Math.random().toString(36).slice(2, 10)}_${process.pid}`;
}

/**
 * Fails with how to start the server when PostgreSQL is unreachable (tests never skip).
 *
 * @example
 * ```ts
 * beforeAll(() => requireServer());
 * ```
 */
export async function requireServer(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_URL} (${(err as Error).message}); start it with: bash tooling/scripts/start-services.sh`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Runs SQL through a separate client (fault injection, cleanup).
 *
 * @example
 * ```ts
 * await admin("SELECT pg_terminate_backend($1)", [pid]);
 * ```
 */
export async function admin(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/**
 * Drops a test schema and everything in it.
 *
 * @example
 * ```ts
 * afterAll(() => dropSchema(schema));
 * ```
 */
export async function dropSchema(schema: string): Promise<void> {
  await admin(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
}

/**
 * A real pool that records the first word of every statement its connections send
 * (`BEGIN`, `INSERT`, `WITH`, …), to check how many round trips an operation takes.
 *
 * @example
 * ```ts
 * const { pool, seen } = countingPool();
 * await openPostgresBackend({ pool, schema });
 * ```
 */
export function countingPool(): { pool: pg.Pool; seen: { statements: string[] } } {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  const seen = { statements: [] as string[] };
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      // A statement is a string or a config object ({ name, text, values }: prepared ones).
      const arg = args[0] as string | { text?: unknown } | undefined;
      const text = typeof arg === "string" ? arg : arg?.text;
      seen.statements.push(typeof text === "string" ? (text.trim().split(/\s+/, 1)[0] ?? "") : "?");
      return query(...args);
    }) as typeof client.query;
  });
  return { pool, seen };
}
