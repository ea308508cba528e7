import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const vitestBin = join(root, "node_modules", "vitest", "vitest.mjs");

/** One test of a fixture run, as vitest's JSON reporter lists it. */
export interface FixtureAssertion {
  fullName: string;
  status: string;
  duration?: number | null;
}

/** What vitest's JSON reporter says of a fixture run. */
export interface FixtureReport {
  numTotalTests: number;
  numFailedTests: number;
  numPassedTests: number;
  testResults: { assertionResults: FixtureAssertion[] }[];
}

/**
 * Runs one fixture under test/broken (a backend variant run through the suites) in its own
 * vitest process and returns the JSON report; a failing run exits non-zero, the report
 * says how.
 *
 * @example
 * ```ts
 * const report = await runFixture("healthy-memory");
 * ```
 */
export async function runFixture(name: string): Promise<FixtureReport> {
  const outputFile = join(mkdtempSync(join(tmpdir(), "fixture-run-")), "report.json");
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
    { cwd: root, timeout: 180_000 },
  ).catch(() => undefined);
  return JSON.parse(readFileSync(outputFile, "utf8")) as FixtureReport;
}

/**
 * Every test of a report, flat.
 *
 * @example
 * ```ts
 * const failed = assertions(report).filter((a) => a.status === "failed");
 * ```
 */
export function assertions(report: FixtureReport): FixtureAssertion[] {
  return report.testResults.flatMap((f) => f.assertionResults);
}
