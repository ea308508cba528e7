import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withExtraRows } from "./matrix.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
let project: string;

beforeAll(async () => {
  // A third-party backend package "backend-acme" (scheme acme:) installed in a project:
  // the memory backend under another name.
  project = await mkdtemp(join(tmpdir(), "core-matrix-cli-"));
  const pkg = join(project, "node_modules/backend-acme");
  await mkdir(pkg, { recursive: true });
  const memory = pathToFileURL(createRequire(import.meta.url).resolve("@core/backend-memory")).href;
  await writeFile(join(pkg, "package.json"), '{"name":"backend-acme","type":"module","exports":"./index.js"}');
  await writeFile(
    join(pkg, "index.js"),
    `import { provider as memory } from ${JSON.stringify(memory)};
export const provider = { name: "acme", schemes: ["acme"], open: (_url, options) => memory.open("memory:", options) };
`,
  );
});
afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("playground matrix with third-party backends", () => {
  it("adds a row per backend package at <scheme>:, and per --url", () => {
    const base = { memory: "memory:" };
    const acme = { name: "acme", schemes: ["acme", "acme+tls"] };
    expect(withExtraRows(base, [acme])).toEqual({ memory: "memory:", acme: "acme:" });
    expect(withExtraRows(base, [acme], ["ACME:./data", "memory:"])).toEqual({
      memory: "memory:",
      "ACME:./data": "ACME:./data",
      "memory:": "memory:",
    });
  });

  it("`matrix --backend-package` smokes the package's backend, and --help names the servers it writes to", async () => {
    const { stdout } = await run(process.execPath, [cli, "matrix", "--backend-package", "backend-acme"], {
      cwd: project,
      timeout: 60_000,
    }).catch((err: { message: string; stdout: string; stderr: string }) => {
      throw new Error(`${err.message}\n${err.stdout}\n${err.stderr}`);
    });
    expect(stdout).toMatch(/\bacme\s+passed \d+ms\s+passed \d+ms\s+passed \d+ms\s+passed \d+ms\s+not applicable/);
    expect(stdout).toMatch(/\bmemory\s+passed/);
    const help = (await run(process.execPath, [cli, "--help"])).stdout;
    expect(help).toContain("POSTGRES_URL (default postgres://root@127.0.0.1:5432/test");
    expect(help).toContain("REDIS_URL (default redis://127.0.0.1:6379");
    expect(help).toContain("--url URL");
  }, 90_000);
});
