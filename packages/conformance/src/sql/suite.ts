import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import type { ConformanceOptions } from "../options.js";
import { SUITE_TEST_TIMEOUT_MS } from "../options.js";
import { registerSqlBasics } from "./basics.js";
import { registerSqlConcurrency } from "./concurrency.js";
import { registerSqlConnection } from "./connection.js";
import { createSqlContext, expectSqlError, type SqlContext } from "./context.js";
import { registerSqlErrors } from "./errors.js";
import { registerSqlExplicitTransactions } from "./explicit.js";
import { registerSqlResults } from "./results.js";
import { registerSqlSavepoints } from "./savepoints.js";
import { registerSqlTransactions } from "./transactions.js";
import { registerSqlTypes } from "./types.js";

/**
 * Registers the SQL conformance suite (PROTOCOLS.md §5) for a backend. The capabilities
 * are read from an instance while collecting: without `capabilities.sql` the suite is one
 * test asserting `backend.sql()` throws `NOT_SUPPORTED`, its other tests reported as skipped
 * ("sql: not supported by this backend"). Each test creates
 * its own freshly named tables, so suites can share one database.
 *
 * @example
 * ```ts
 * import { describeSqlConformance } from "@core/conformance";
 * describeSqlConformance({ name: "sqlite memory", open: () => openSqliteBackend() });
 * ```
 */
export function describeSqlConformance(options: ConformanceOptions): void {
  describe(`sql conformance: ${options.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, async () => {
    const probe = await options.open();
    const caps = probe.capabilities;
    await probe.close();
    const ctx = createSqlContext(options, caps);

    beforeAll(async () => {
      ctx.backend = await options.open();
    });
    afterAll(async () => {
      if (ctx.backend && caps.sql) await ctx.dropTables();
      await ctx.backend?.close();
    });

    if (!caps.sql) {
      test("backend.sql() is NOT_SUPPORTED without capabilities.sql", async () => {
        expect(caps.isolationLevels).toEqual([]);
        await expectSqlError(() => ctx.backend.sql(), "NOT_SUPPORTED");
      });
    }

    describeCapability(caps.sql, "sql", () => registerSqlTests(ctx));
  });
}

function registerSqlTests(ctx: SqlContext): void {
  const caps = ctx.caps;
  test("backend.sql() returns the same database with a dialect and a type mapper", () => {
    const db = ctx.backend.sql();
    expect(ctx.backend.sql()).toBe(db);
    expect(typeof db.dialect.name).toBe("string");
    expect(db.dialect.quoteIdentifier('a"b')).toBe('"a""b"');
    expect(db.dialect.supportsSavepoints).toBe(true);
    expect(caps.isolationLevels.length).toBeGreaterThan(0);
  });

  describe("execute and query", () => registerSqlBasics(ctx));
  describe("transactions", () => registerSqlTransactions(ctx));
  describe("explicit transactions", () => registerSqlExplicitTransactions(ctx));
  describe("named savepoints", () => registerSqlSavepoints(ctx));
  describe("results: RETURNING, columnTypes, custom types", () => registerSqlResults(ctx));
  describe("concurrency", () => registerSqlConcurrency(ctx));
  describe("types", () => registerSqlTypes(ctx));
  describe("errors and close", () => registerSqlErrors(ctx));
  if (ctx.options.sqlConnection) describe("connection options", () => registerSqlConnection(ctx));
}
