import { type Backend, ConnectionError, OperationalError, sql, TransactionError } from "@core/protocols";
import { Lifecycle } from "@core/protocols/kit";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openPostgresBackend } from "./index.js";
import { createPostgresSql } from "./sql/database.js";

const url = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

/** Opens the real postgres backend; fails with how to start the server when it is down. */
async function open(): Promise<Backend> {
  try {
    return await openPostgresBackend({ connectionString: url, schema: "core_sql_test" });
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${url}; start it with: bash tooling/scripts/start-services.sh`, {
      cause: err,
    });
  }
}

// The SQL conformance suite runs in postgres.conformance.test.ts with the other suites.

describe("postgres sql errors beyond the suite", () => {
  it("an unreachable server is a retryable ConnectionError without the password", async () => {
    const pool = new pg.Pool({
      connectionString: "postgres://root:s3cret-pw@127.0.0.1:1/test",
      connectionTimeoutMillis: 2000,
    });
    const lifecycle = new Lifecycle("postgres");
    lifecycle.onClose(() => pool.end());
    const db = createPostgresSql({ pool, lifecycle, schema: "public", quotedSchema: '"public"' });
    for (const run of [() => db.query(sql`select 1`), () => db.transaction(async () => 1)]) {
      const err = await run().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).code).toBe("CONNECTION");
      expect((err as ConnectionError).retryable).toBe(true);
      expect((err as Error).message).not.toContain("s3cret-pw");
      expect((err as Error).cause).toBeDefined();
    }
    await lifecycle.close();
  });

  it("inside a transaction the pool stays usable; an outer transaction inside a savepoint fails fast", async () => {
    const backend = await open();
    try {
      const db = backend.sql();
      await db.transaction(async (tx) => {
        expect(await db.query(sql`select 1 as one`)).toEqual([{ one: 1 }]);
        await tx.transaction(async (sp) => {
          await expect(tx.query(sql`select 1`)).rejects.toBeInstanceOf(TransactionError);
          expect(await sp.query(sql`select ${"x"}::text as v`)).toEqual([{ v: "x" }]);
        });
      });
    } finally {
      await backend.close();
    }
  });

  it("a statement timeout is OperationalError TIMEOUT", async () => {
    const backend = await open();
    try {
      const err = await backend
        .sql()
        .transaction(async (tx) => {
          await tx.execute(sql`set local statement_timeout = 20`);
          await tx.query(sql`select pg_sleep(2)`);
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationalError);
      expect((err as OperationalError).code).toBe("TIMEOUT");
    } finally {
      await backend.close();
    }
  });
});
