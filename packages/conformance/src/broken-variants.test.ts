import { describe, expect, it } from "vitest";
import { assertions, type FixtureReport, runFixture } from "./fixture-run.fixture.js";

function failed(report: FixtureReport): string[] {
  return assertions(report)
    .filter((a) => a.status === "failed")
    .map((a) => a.fullName);
}

// Each suite must notice one deliberately injected bug in an otherwise healthy backend.
describe("the conformance suites catch broken backends", () => {
  it("the healthy memory backend passes every suite (control)", async () => {
    const report = await runFixture("healthy-memory");
    expect(report.numTotalTests).toBeGreaterThan(50);
    expect(failed(report)).toEqual([]);
  }, 200_000);

  it.each([
    ["cache-ignores-ttl", /ttl|expir/i],
    ["queue-drops-last", /batch|offset|dense|contiguous/i],
    ["records-sighting-always-new", /sighting/i],
    ["transport-never-retries", /redeliver|again|throw|retr/i],
  ])(
    "%s is caught",
    async (fixture, topic) => {
      const report = await runFixture(fixture);
      const failures = failed(report);
      expect(failures.length, `${fixture} passed every test`).toBeGreaterThan(0);
      expect(
        failures.some((name) => topic.test(name)),
        `failures: ${failures.join("; ")}`,
      ).toBe(true);
    },
    200_000,
  );
});
