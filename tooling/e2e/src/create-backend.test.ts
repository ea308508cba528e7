import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ok, run } from "./run.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
const SCRIPT = join(ROOT, "tooling/scripts/create-backend.mjs");

interface VitestReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

interface Suites {
  report: VitestReport;
  code: number;
  failed: string[];
  passed: string[];
}

let work: string; // the temporary directory, outside the workspace
let pkg: string; // the scaffolded backend package inside it

/** Runs the package's own vitest (its conformance test file) and reads the JSON report. */
async function runSuites(): Promise<Suites> {
  const output = join(work, `report-${Date.now()}.json`);
  const { code, stderr } = await run("npx", ["vitest", "run", "--reporter=json", `--outputFile=${output}`], pkg);
  if (!existsSync(output)) throw new Error(`vitest wrote no report (exit ${code}):\n${stderr.slice(-4000)}`);
  const report = JSON.parse(await readFile(output, "utf8")) as VitestReport;
  const all = report.testResults.flatMap((file) => file.assertionResults);
  return {
    report,
    code,
    failed: all.filter((t) => t.status === "failed").map((t) => t.fullName),
    passed: all.filter((t) => t.status === "passed").map((t) => t.fullName),
  };
}

async function edit(path: string, from: string, to: string): Promise<void> {
  const text = await readFile(path, "utf8");
  // The edit must apply exactly once, or the test would prove nothing.
  expect(text.split(from).length - 1, `${from} in ${path}`).toBe(1);
  await writeFile(path, text.replace(from, to));
}

async function pack(packageDir: string, destination: string): Promise<string> {
  const before = new Set(await readdir(destination));
  await ok("pnpm", ["pack", "--pack-destination", destination], packageDir);
  const tarball = (await readdir(destination)).find((f) => f.endsWith(".tgz") && !before.has(f));
  if (!tarball) throw new Error(`pnpm pack wrote no tarball for ${packageDir}`);
  return join(destination, tarball);
}

describe("a backend published outside the workspace", () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "core-e2e-"));
    expect(work.startsWith(ROOT)).toBe(false);
    const tarballs = join(work, "tarballs");
    await mkdir(tarballs);
    // dist of both is built by turbo's ^build before this test runs.
    const protocols = await pack(join(ROOT, "packages/protocols"), tarballs);
    const conformance = await pack(join(ROOT, "packages/conformance"), tarballs);
    const { version } = JSON.parse(await readFile(join(ROOT, "packages/protocols/package.json"), "utf8")) as {
      version: string;
    };
    pkg = join(work, "backend-acme");
    await ok(
      "node",
      [
        SCRIPT,
        "acme",
        "--dir",
        pkg,
        "--protocols-spec",
        `file:${protocols}`,
        "--conformance-spec",
        `file:${conformance}`,
        "--protocols-peer",
        `^${version}`,
      ],
      work,
    );
    await ok("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], pkg);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("the scaffold wrote a standalone package depending on the packed tarballs", async () => {
    const manifest = JSON.parse(await readFile(join(pkg, "package.json"), "utf8"));
    expect(manifest.name).toBe("backend-acme");
    expect(manifest.type).toBe("module");
    expect(Object.keys(manifest.exports["."])).toEqual(["types", "default"]);
    expect(manifest.files).toEqual(["dist"]);
    expect(manifest.peerDependencies["@core/protocols"]).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(manifest.devDependencies["@core/protocols"]).toMatch(/^file:.*\.tgz$/);
    expect(manifest.devDependencies["@core/conformance"]).toMatch(/^file:.*\.tgz$/);
    expect(manifest.devDependencies.vitest).toBe("4.1.12");
    // The guide ships inside the published @core/protocols.
    expect(existsSync(join(pkg, "node_modules/@core/protocols/docs/writing-a-backend.md"))).toBe(true);
    expect(existsSync(join(work, ".changeset"))).toBe(false);
  });

  test("as generated, it type-checks against the packed types and its Map cache passes the whole cache suite", async () => {
    await ok("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"], pkg);
    const suites = await runSuites();
    expect(suites.failed).toEqual([]);
    expect(suites.code).toBe(0);
    const cacheTests = suites.passed.filter((name) => name.startsWith("cache conformance: acme"));
    expect(cacheTests.length).toBeGreaterThan(50);
    expect(cacheTests.some((name) => name.includes("ttl and expiry"))).toBe(true);
    // The protocols it has no driver for answer NOT_SUPPORTED.
    for (const protocol of ["queue", "record store", "transport", "sql"]) {
      expect(suites.passed.some((name) => name.startsWith(`${protocol} conformance: acme`))).toBe(true);
    }
    expect(suites.passed.some((name) => name.includes("queue() is NOT_SUPPORTED"))).toBe(true);
    console.log(`as generated: ${suites.report.numPassedTests}/${suites.report.numTotalTests} passed`);
  });

  test("the generated cache driver only stores: validation is the shared layer's", async () => {
    const driver = await readFile(join(pkg, "src/cache-driver.ts"), "utf8");
    expect(driver).toContain('from "@core/protocols/kit"');
    expect(driver).not.toMatch(/assert[A-Z]|invalidArgument|closedError|BackendError/);
    const backend = await readFile(join(pkg, "src/backend.ts"), "utf8");
    expect(backend).toContain("extends defineBackend({");
    expect(backend).not.toMatch(/assertOpen|notSupported|createCache/);
  });

  test("the built package passes publint --strict and attw, and loadProvider finds it by name", async () => {
    await ok("npm", ["run", "build"], pkg);
    await ok("npm", ["run", "check:package"], pkg);
    const script = join(pkg, "load.mjs");
    await writeFile(
      script,
      `import { loadProvider, openBackend, registerBackend } from "@core/protocols";
const provider = await loadProvider("backend-acme");
registerBackend(provider);
const backend = await openBackend("acme:");
await backend.cache("hits").increment("home", 2);
console.log(JSON.stringify({ name: provider.name, schemes: provider.schemes, hits: await backend.cache("hits").get("home") }));
await backend.close();
`,
    );
    const { stdout } = await ok("node", [script], pkg);
    expect(JSON.parse(stdout.trim())).toEqual({ name: "acme", schemes: ["acme"], hits: 2 });
  });

  test("with a bug injected (every write's TTL ignored) the cache suite fails", async () => {
    await edit(
      join(pkg, "src/cache-driver.ts"),
      "expiresAt: ttlMs === undefined ? Infinity : Date.now() + ttlMs",
      "expiresAt: Infinity",
    );
    const suites = await runSuites();
    expect(suites.code).not.toBe(0);
    expect(suites.failed.length).toBeGreaterThan(0);
    // Only tests that read a TTL back notice it being ignored: those of "ttl and expiry", of
    // "expiry before the sweep" (the kit cases added from mutation testing), and the large
    // setMany with TTLs.
    const expiry =
      /^cache conformance: acme (ttl and expiry|expiry before the sweep|operations a setMany of 100 entries with TTLs)/;
    expect(suites.failed.filter((name) => !expiry.test(name))).toEqual([]);
    expect(suites.failed).toContain(
      "cache conformance: acme ttl and expiry ttl() is the ms left, null without expiry, undefined when missing",
    );
    console.log(`injected bug: ${suites.report.numFailedTests}/${suites.report.numTotalTests} failed`);
  });
});

interface Planned {
  dir: string;
  names: {
    workspace: boolean;
    packageName: string;
    protocolsSpec: string;
    protocolsPeer: string;
    conformanceSpec: string;
  };
}

describe("create-backend inside the workspace and on bad input", () => {
  test("by default it plans packages/backend-<name> with workspace:^ dependencies", async () => {
    const script = (await import(pathToFileURL(SCRIPT).href)) as {
      plan(argv: string[], cwd?: string): Planned;
      files(names: Planned["names"]): Record<string, string>;
    };
    const planned = script.plan(["acme-db"], ROOT);
    expect(planned.dir).toBe(join(ROOT, "packages/backend-acme-db"));
    expect(planned.names).toMatchObject({
      workspace: true,
      packageName: "@core/backend-acme-db",
      protocolsSpec: "workspace:^",
      conformanceSpec: "workspace:^",
      protocolsPeer: "workspace:^",
    });
    const written = script.files(planned.names);
    const manifest = JSON.parse(written["package.json"] as string);
    expect(manifest.peerDependencies).toEqual({ "@core/protocols": "workspace:^" });
    expect(manifest.devDependencies["@core/tsconfig"]).toBe("workspace:*");
    expect(written["src/backend.ts"]).toContain("export class AcmeDbBackend extends defineBackend({");
    expect(Object.keys(written)).toContain("src/acme-db.conformance.test.ts");
    expect(() => script.plan(["acme", "--protocols-spec", "^2.0.0"], ROOT)).toThrow(/workspace:\^/);
  });

  test("it rejects bad names and refuses to overwrite a directory", async () => {
    for (const bad of ["Acme", "1acme", "ac_me", "acme-", "redis", "memory"]) {
      const { code, stderr } = await run("node", [SCRIPT, bad, "--dir", join(tmpdir(), "never-written")], ROOT);
      expect(code, bad).toBe(2);
      expect(stderr).toMatch(/^create-backend: /);
    }
    const existing = await mkdtemp(join(tmpdir(), "core-e2e-existing-"));
    try {
      const { code, stderr } = await run("node", [SCRIPT, "acme", "--dir", existing], ROOT);
      expect(code).toBe(2);
      expect(stderr).toContain("refusing to overwrite");
      expect(await readdir(existing)).toEqual([]);
    } finally {
      await rm(existing, { recursive: true, force: true });
    }
  });
});
