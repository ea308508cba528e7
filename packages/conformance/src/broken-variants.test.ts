import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const vitestBin = join(root, "node_modules", "vitest", "vitest.mjs");

interface JsonReport {
  numTotalTests: number;
  numFailedTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

async function runFixture(name: string): Promise<JsonReport> {
  const outputFile = join(mkdtempSync(join(tmpdir(), "broken-")), "report.json");
  await run(
    process.execPath,
    [
      vitestBin,
      "run",
      "--config",
      "test/vitest.broken.config.ts",
      "--reporter=json",
      `--outputFile=${outputFile}`,
      `test/broken/${name}.fixture.ts`,
    ],
    {
      cwd: root,
      timeout: 180_000,
    },
  ).catch(() => undefined); // a failing suite exits non-zero; the report says how
  return JSON.parse(readFileSync(outputFile, "utf8")) as JsonReport;
}

function failed(report: JsonReport): string[] {
  return report.testResults.flatMap((f) =>
    f.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName),
  );
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
