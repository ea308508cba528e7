import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { extract, pack, ROOT, versionOf } from "./packed.js";
import { ok } from "./run.js";

// `npm create core-backend@latest acme` as a user runs it: the packed create-core-backend,
// executed by npm in a temporary directory outside the workspace, with no checkout. Its
// output depends on @core/protocols and @core/conformance by the ranges of their real versions;
// installed against their packed tarballs with plain npm it resolves without a peer error and
// its conformance suites pass.

let work: string;
let app: string; // where the user types the command
let generated: string; // ./backend-acme inside it
const tarballs: Record<string, string> = {};

interface VitestReport {
  numTotalTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "core-e2e-create-"));
  expect(work.startsWith(ROOT)).toBe(false);
  await mkdir(join(work, "tarballs"));
  // dist of each (versions.json for create-core-backend) is built by turbo's ^build.
  for (const name of ["protocols", "conformance", "create-core-backend"]) {
    tarballs[name] = await pack(join(ROOT, "packages", name), join(work, "tarballs"));
  }
  app = join(work, "projects");
  await mkdir(app);
  // What `npm create core-backend@latest acme` runs: npm exec of the package's bin.
  await ok(
    "npm",
    ["exec", "--yes", `--package=${tarballs["create-core-backend"]}`, "--", "create-core-backend", "acme"],
    app,
    {
      timeoutMs: 120_000,
    },
  );
  generated = join(app, "backend-acme");
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("create-core-backend from its packed tarball, outside any repository", () => {
  test("the tarball holds the bin, the templates and the versions it was built with", async () => {
    const files = await extract(tarballs["create-core-backend"]!, join(work, "extracted"));
    expect(files).toEqual(
      expect.arrayContaining(["bin/create-core-backend.mjs", "src/create.mjs", "dist/versions.json"]),
    );
    const versions = JSON.parse(await readFile(join(work, "extracted/package/dist/versions.json"), "utf8"));
    expect(versions).toEqual({
      protocols: await versionOf(join(ROOT, "packages/protocols")),
      conformance: await versionOf(join(ROOT, "packages/conformance")),
    });
  });

  test("it writes ./backend-acme with ranges of the real @core versions, and no changeset", async () => {
    const manifest = JSON.parse(await readFile(join(generated, "package.json"), "utf8"));
    const protocols = await versionOf(join(ROOT, "packages/protocols"));
    const conformance = await versionOf(join(ROOT, "packages/conformance"));
    expect(manifest.name).toBe("backend-acme");
    expect(manifest.peerDependencies).toEqual({ "@core/protocols": `^${protocols}` });
    expect(manifest.devDependencies["@core/protocols"]).toBe(`^${protocols}`);
    expect(manifest.devDependencies["@core/conformance"]).toBe(`^${conformance}`);
    expect(existsSync(join(generated, "src/acme.conformance.test.ts"))).toBe(true);
    expect(existsSync(join(work, ".changeset"))).toBe(false);
    expect(existsSync(join(app, ".changeset"))).toBe(false);
  });

  test("npm installs it against the packed @core tarballs without a peer error, and conformance passes", async () => {
    const install = await ok(
      "npm",
      [
        "install",
        "--save-dev",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        tarballs.protocols!,
        tarballs.conformance!,
      ],
      generated,
      { timeoutMs: 300_000 },
    );
    expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/ERESOLVE|peer dep|invalid/i);
    // The peer range the scaffold wrote is satisfied by the installed version: npm ls says so.
    await ok("npm", ["ls", "@core/protocols", "@core/conformance"], generated);
    const output = join(work, "report.json");
    await ok("npx", ["vitest", "run", "--reporter=json", `--outputFile=${output}`], generated, { timeoutMs: 120_000 });
    const report = JSON.parse(await readFile(output, "utf8")) as VitestReport;
    const all = report.testResults.flatMap((file) => file.assertionResults);
    // The generated Map cache runs the whole cache suite; the protocols it has no driver for
    // are gated off by its capabilities.
    expect(all.filter((t) => t.status === "failed").map((t) => t.fullName)).toEqual([]);
    const cache = all.filter((t) => t.status === "passed" && t.fullName.startsWith("cache conformance: acme"));
    expect(cache.length).toBeGreaterThan(50);
    expect(report.numPassedTests).toBeGreaterThan(0);
    for (const protocol of ["cache", "queue", "record store", "transport", "sql"]) {
      expect(
        all.some((t) => t.fullName.startsWith(`${protocol} conformance: acme`)),
        protocol,
      ).toBe(true);
    }
    console.log(
      `create-core-backend output: ${report.numPassedTests}/${report.numTotalTests} conformance tests passed`,
    );
  });

  test("as generated, it type-checks against the installed @core/protocols", async () => {
    await ok("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"], generated, { timeoutMs: 120_000 });
  });
});
