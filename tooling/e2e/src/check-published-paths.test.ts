import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run } from "./run.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
const SCRIPT = join(ROOT, "tooling/scripts/check-published-paths.mjs");
const { findProblems } = (await import(pathToFileURL(SCRIPT).href)) as { findProblems(dir: string): string[] };

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "core-check-paths-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function pkg(name: string, files: Record<string, string>): Promise<string> {
  const at = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(at, path, ".."), { recursive: true });
    await writeFile(join(at, path), text);
  }
  return at;
}

describe("check-published-paths", () => {
  test("names the file and line of each repository path in dist/", async () => {
    const at = await pkg("bad", {
      "dist/index.js": 'export const a = 1;\nexport const HINT = "run bash tooling/scripts/start-services.sh";\n',
      "dist/sub/b.d.ts": '/** see ../../packages/protocols/src/x.ts */\nexport declare const b: "./apps/bench";\n',
      "src/not-published.ts": "// tooling/scripts is fine here\n",
    });
    const problems = findProblems(at);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(
      /dist\/index\.js:2: names tooling\/scripts, a path of this repository: export const HINT/,
    );
    expect(problems.some((p) => /dist\/sub\/b\.d\.ts:1: names packages\/protocols/.test(p))).toBe(true);
    expect(problems.some((p) => /dist\/sub\/b\.d\.ts:2: names apps\/bench/.test(p))).toBe(true);
    const { code, stderr } = await run("node", [SCRIPT], at);
    expect(code).toBe(1);
    expect(stderr).toContain("dist/index.js:2: names tooling/scripts");
  });

  test("URLs and other packages' paths pass; shipped source maps fail", async () => {
    const ok = await pkg("ok", {
      "dist/index.js":
        '// https://github.com/apps/x and node_modules/foo/packages/bar\nexport const u = "https://example.com/tooling/x";\n',
    });
    expect(findProblems(ok)).toEqual([]);
    expect((await run("node", [SCRIPT], ok)).code).toBe(0);
    const maps = await pkg("maps", {
      "dist/index.js": "export {};\n//# sourceMappingURL=index.js.map\n",
      "dist/index.js.map": '{"sources":["../src/index.ts"]}',
    });
    const problems = findProblems(maps);
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).toContain("source map");
  });

  test("a package that was not built is an error, not a pass", async () => {
    const { code, stderr } = await run("node", [SCRIPT, join(dir, "never-built")], dir);
    expect(code).toBe(2);
    expect(stderr).toContain("build the package first");
  });

  test("every published package's dist passes (run by its check:package)", () => {
    const problems = [
      "protocols",
      "conformance",
      "backend-memory",
      "backend-file",
      "backend-sqlite",
      "backend-postgres",
      "backend-redis",
    ].flatMap((name) => findProblems(join(ROOT, "packages", name)));
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
