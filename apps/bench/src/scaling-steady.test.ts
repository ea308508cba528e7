import pg from "pg";
import { describe, expect, it } from "vitest";
import { writeScalingBatch } from "./scaling-operations.js";
import { steadyState } from "./scaling-steady.js";
import { openTarget, POSTGRES_URL } from "./targets.js";

describe("steadyState after a scaling fill", () => {
  it("postgres: VACUUM (ANALYZE) of the tables the fill wrote, so the planner has statistics", async () => {
    const target = await openTarget("postgres", { raw: false });
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await writeScalingBatch(target.backend!, "records", 0, 1000);
      const stats = async () =>
        (
          await client.query(
            "SELECT last_vacuum, last_analyze, reltuples FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid WHERE t.schemaname = $1 AND t.relname = 'records'",
            [target.opener.options.schema],
          )
        ).rows[0];
      expect(await stats()).toMatchObject({ last_vacuum: null, last_analyze: null, reltuples: -1 });
      expect(await steadyState(target, "records")).toBeGreaterThan(0);
      const after = await stats();
      expect(after.last_vacuum).toBeInstanceOf(Date);
      expect(after.last_analyze).toBeInstanceOf(Date);
      expect(after.reltuples).toBe(1000);
    } finally {
      await client.end();
      await target.close();
    }
  });

  it("other backends need nothing", async () => {
    const target = await openTarget("memory", { raw: false });
    try {
      expect(await steadyState(target, "records")).toBe(0);
    } finally {
      await target.close();
    }
  });
});
