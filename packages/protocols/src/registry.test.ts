import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import { loadProvider } from "./registry.js";

let root: string;
let savedArgv1: string | undefined;

function writePackage(name: string, manifest: Record<string, unknown>, files: Record<string, string>): void {
  const dir = join(root, "node_modules", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, type: "module", ...manifest }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
}

const PROVIDER = 'export const provider = { name: "fake", schemes: ["fake"], open: async () => ({}) };\n';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "registry-test-"));
  writePackage("registry-test-import-only", { exports: { ".": { import: "./index.js" } } }, { "index.js": PROVIDER });
  writePackage(
    "registry-test-broken",
    { exports: { ".": { import: "./index.js" } } },
    { "index.js": `import "registry-test-missing-dependency";\n${PROVIDER}` },
  );
  // The registry also resolves from the main script's directory, which is where the
  // application that installed the backend lives.
  savedArgv1 = process.argv[1];
  process.argv[1] = join(root, "main.js");
});

afterAll(() => {
  process.argv[1] = savedArgv1 as string;
  rmSync(root, { recursive: true, force: true });
});

describe("loadProvider", () => {
  it("loads a package that only exports the import condition", async () => {
    const provider = await loadProvider("registry-test-import-only");
    expect(provider.name).toBe("fake");
  });

  it("reports a package that is really missing as NOT_INSTALLED", async () => {
    const error = await loadProvider("registry-test-not-there").catch((err: unknown) => err);
    expect(BackendError.is(error, "NOT_INSTALLED")).toBe(true);
    expect((error as Error).message).toContain("registry-test-not-there");
  });

  it("surfaces a missing dependency of an installed package instead of NOT_INSTALLED", async () => {
    const error = await loadProvider("registry-test-broken").catch((err: unknown) => err);
    expect(BackendError.is(error, "NOT_INSTALLED")).toBe(false);
    expect((error as Error).message).toContain("registry-test-missing-dependency");
  });
});
