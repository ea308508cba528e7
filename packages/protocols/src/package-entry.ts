import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const CONDITIONS = ["import", "node", "default"];

/**
 * The specifier a "module not found" error names (`Cannot find package '<spec>'` from the
 * ESM loader, `Cannot find module '<spec>'` from either loader), or `undefined` when the
 * error is something else.
 *
 * @example
 * ```ts
 * missingSpecifier(err); // "@core/backend-sqlite"
 * ```
 */
export function missingSpecifier(err: unknown): string | undefined {
  const e = err as { code?: string; message?: unknown } | null;
  if (e?.code !== "ERR_MODULE_NOT_FOUND" && e?.code !== "MODULE_NOT_FOUND") return undefined;
  return /Cannot find (?:package|module) '([^']+)'/.exec(String(e.message))?.[1];
}

function pickTarget(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) {
    for (const item of entry) {
      const target = pickTarget(item);
      if (target) return target;
    }
    return undefined;
  }
  if (entry && typeof entry === "object") {
    const map = entry as Record<string, unknown>;
    for (const condition of CONDITIONS) {
      if (condition in map) {
        const target = pickTarget(map[condition]);
        if (target) return target;
      }
    }
  }
  return undefined;
}

/**
 * Finds the ESM entry file of an installed package as seen from `base`, honouring the
 * `import` export condition. `require.resolve` only applies the `require` condition, so it
 * fails with ERR_PACKAGE_PATH_NOT_EXPORTED on import-only packages; this does not.
 * Returns `undefined` when the package is not installed under `base`.
 *
 * @example
 * ```ts
 * resolveEsmEntry("@core/backend-sqlite", "/app/noop.js"); // "/app/node_modules/@core/backend-sqlite/dist/index.js"
 * ```
 */
export function resolveEsmEntry(packageName: string, base: string): string | undefined {
  const dirs = createRequire(base).resolve.paths(packageName) ?? [];
  for (const dir of dirs) {
    const root = join(dir, packageName);
    const manifestPath = join(root, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { exports?: unknown; main?: unknown };
    const { exports } = manifest;
    let target: string | undefined;
    if (exports !== undefined) {
      const isSubpathMap =
        exports !== null &&
        typeof exports === "object" &&
        !Array.isArray(exports) &&
        Object.keys(exports).some((key) => key.startsWith("."));
      target = pickTarget(isSubpathMap ? (exports as Record<string, unknown>)["."] : exports);
    } else {
      target = typeof manifest.main === "string" ? manifest.main : "index.js";
    }
    return target ? join(root, target) : undefined;
  }
  return undefined;
}
