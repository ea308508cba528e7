import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { describe, expect, test } from "vitest";

// Every declaration file a user's compiler reads, starting at a package's entry, with the
// modules each one imports.
function reachableDeclarations(entry: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (file: string) => {
    if (found.has(file)) return;
    // Examples in comments may show `import pg from "pg"`; only real imports count.
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    const specifiers = [...text.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
    found.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith(".")) visit(resolve(dirname(file), s.replace(/\.js$/, ".d.ts")));
  };
  visit(entry);
  return found;
}

const require = createRequire(import.meta.url);
const BACKENDS = ["memory", "file", "sqlite", "postgres", "redis"] as const;

describe("published declarations need no driver types", () => {
  // A backend's drivers (pg, ioredis, better-sqlite3) are peers whose types live elsewhere
  // (@types/pg, @types/better-sqlite3): a user compiling without them must not fail.
  test.each(BACKENDS)("@core/backend-%s reaches only @core/protocols and node built-ins", (name) => {
    const entry = require.resolve(`@core/backend-${name}`).replace(/\.js$/, ".d.ts");
    const files = reachableDeclarations(entry);
    expect(files.size).toBeGreaterThan(1);
    const external = new Set([...files.values()].flat().filter((s) => !s.startsWith(".")));
    const foreign = [...external].filter((s) => !/^@core\/protocols(\/kit)?$/.test(s) && !s.startsWith("node:"));
    expect(foreign).toEqual([]);
    expect(external).toContain("@core/protocols");
  });
});
