import pg from "pg";
import { describe, expect, test } from "vitest";
import type { PostgresPoolLike } from "./index.js";

// That the published declarations reach no pg types is checked for every backend in the
// e2e package (declarations.test.ts).
describe("postgres published types", () => {
  test("a pg.Pool is a PostgresPoolLike", () => {
    const pool: PostgresPoolLike = new pg.Pool({ max: 1 });
    expect(typeof pool.connect).toBe("function");
    return pool.end();
  });
});
