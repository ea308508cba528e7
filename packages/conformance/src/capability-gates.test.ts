import { describe, expect, it } from "vitest";
import { assertions, runFixture } from "./fixture-run.fixture.js";

// PROTOCOLS.md §6: a capability a backend declares absent is reported as skipped with the
// reason, next to one real test that it is absent — never as passing tests that ran nothing.
describe("capability gates", () => {
  it("absent capabilities are skipped with the reason, plus one real absence test each", async () => {
    const results = assertions(await runFixture("capabilities-absent"));
    const passed = results.filter((r) => r.status === "passed").map((r) => r.fullName);
    const skipped = results.filter((r) => r.status !== "passed" && r.status !== "failed").map((r) => r.fullName);
    expect(results.filter((r) => r.status === "failed").map((r) => r.fullName)).toEqual([]);

    // Transport off: exactly one passing test per transport suite, and it is the absence check.
    for (const suite of ["transport conformance", "publisher conformance"]) {
      expect(passed.filter((n) => n.startsWith(suite))).toEqual([
        `${suite}: capabilities absent backend.transport() is NOT_SUPPORTED without capabilities.transport`,
      ]);
      expect(skipped.filter((n) => n.startsWith(suite)).length).toBeGreaterThan(3);
    }
    // Every skipped test names the absent capability it belongs to.
    const absent =
      /(transport|blockingStream|buckets|maxEntries|sql|crossProcess|persistent): not supported by this backend/;
    expect(skipped.filter((n) => !absent.test(n))).toEqual([]);
    for (const capability of ["transport", "blockingStream", "buckets", "maxEntries", "sql"]) {
      expect(skipped.some((n) => n.includes(`${capability}: not supported by this backend`))).toBe(true);
    }
    // ...and each absent capability has its real NOT_SUPPORTED test, which passed.
    for (const check of [
      "stream({ block: true }) is NOT_SUPPORTED",
      "{ buckets: 4 } is NOT_SUPPORTED",
      "maxEntries is NOT_SUPPORTED",
      "backend.sql() is NOT_SUPPORTED",
    ]) {
      expect(
        passed.some((n) => n.includes(check)),
        check,
      ).toBe(true);
    }
  }, 200_000);
});
