import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runDemo } from "./demo.js";
import { expectConsistentSummary } from "./demo-checks.fixture.js";
import { memoryOutput } from "./output.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

describe("playground demo on embedded backends", () => {
  it("runs the whole pipeline and its numbers add up", async () => {
    const out = memoryOutput();
    const summary = await runDemo({ items: 120 }, out);
    expectConsistentSummary(summary, 120);
    expect(out.text()).toContain("notifications delivered");
  });

  it("the CLI run from the repository root (as `pnpm demo` does) exits 0 and prints the summary", async () => {
    const { stdout } = await run(process.execPath, [cli, "demo", "--items", "60"], { timeout: 60_000, cwd: repoRoot });
    expect(stdout).toContain("unique stories");
    expect(stdout).toMatch(/promote layers\s+\d+\.\d/);
  });

  it("a bad URL fails with a clear message and exit code 1", async () => {
    const failure = await run(process.execPath, [cli, "demo", "--queue", "nosuch://x"]).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('--queue nosuch://x: [registry] unknown backend scheme "nosuch:"');
  });
});
