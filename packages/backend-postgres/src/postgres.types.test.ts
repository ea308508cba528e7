import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, test } from "vitest";
import type { PostgresPoolLike } from "./index.js";

// Every declaration file a consumer's compiler reads, starting at the package entry.
function reachableDeclarations(entry: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (file: string) => {
    if (found.has(file)) return;
    // Comments may show `import pg from "pg"` in examples; only real imports count.
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    const specifiers = [...text.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
    found.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith(".")) visit(resolve(dirname(file), s.replace(/\.js$/, ".d.ts")));
  };
  visit(entry);
  return found;
}

describe("postgres published types", () => {
  test("a pg.Pool is a PostgresPoolLike", () => {
    const pool: PostgresPoolLike = new pg.Pool({ max: 1 });
    expect(typeof pool.connect).toBe("function");
    return pool.end();
  });

  test("the declarations reachable from the entry never import pg (no @types/pg needed)", () => {
    const entry = fileURLToPath(new URL("../dist/index.d.ts", import.meta.url));
    const files = reachableDeclarations(entry);
    expect(files.size).toBeGreaterThan(1);
    const external = [...files.values()].flat().filter((s) => !s.startsWith("."));
    expect(external.filter((s) => s === "pg" || s.startsWith("pg/") || s.startsWith("@types/pg"))).toEqual([]);
    expect(external).toContain("@core/protocols");
  });
});
