import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");

/** The names listed under `key:` in pnpm-workspace.yaml (a block list of `- name`). */
function listed(key: string): string[] {
  const lines = readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8").split("\n");
  const start = lines.indexOf(`${key}:`);
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const item = /^\s+-\s+"?([^"\s#]+)"?/.exec(line);
    if (!item) break;
    names.push(item[1]!);
  }
  return names;
}

/** Installed packages (from pnpm's virtual store) that have a build step pnpm would run. */
function packagesWithBuilds(): string[] {
  const store = join(ROOT, "node_modules/.pnpm");
  const names = new Set<string>();
  for (const entry of readdirSync(store)) {
    const modules = join(store, entry, "node_modules");
    if (!existsSync(modules)) continue;
    // The store entry's own package: `name@version…`, `@scope+name@version…`.
    const name = entry.replace(/^(@?[^@]+)@.*$/, "$1").replace("+", "/");
    const manifest = join(modules, name, "package.json");
    if (!existsSync(manifest)) continue;
    const { scripts = {} } = JSON.parse(readFileSync(manifest, "utf8")) as { scripts?: Record<string, string> };
    const hasBuild = ["preinstall", "install", "postinstall"].some((s) => scripts[s]);
    if (hasBuild || existsSync(join(modules, name, "binding.gyp"))) names.add(name);
  }
  return [...names].sort();
}

describe("pnpm-workspace.yaml", () => {
  test("every dependency with a build step is allowed or ignored on purpose (no warning on install)", () => {
    const decided = new Set([...listed("onlyBuiltDependencies"), ...listed("ignoredBuiltDependencies")]);
    expect(listed("onlyBuiltDependencies")).toContain("better-sqlite3");
    expect(listed("ignoredBuiltDependencies")).toEqual(["msgpackr-extract"]);
    const undecided = packagesWithBuilds().filter((name) => !decided.has(name));
    expect(undecided, `add to onlyBuiltDependencies or ignoredBuiltDependencies: ${undecided}`).toEqual([]);
  });

  test("msgpackr-extract has a prebuilt binary for this platform, so skipping its build loses nothing", () => {
    const store = join(ROOT, "node_modules/.pnpm");
    const prebuilt = `@msgpackr-extract+msgpackr-extract-${process.platform}-${process.arch}@`;
    expect(readdirSync(store).some((entry) => entry.startsWith(prebuilt))).toBe(true);
  });
});
