#!/usr/bin/env node
// check-published-paths [packageDir] — fails when a file a package publishes from dist/
// names a path of this repository (tooling/…, packages/…, apps/…): a user who installed
// the package has none of them, so an error message or comment pointing there is a dead
// end. Also fails on shipped source maps (their ../src is not published). Run by every
// published package's `check:package` script.
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The top-level folders of this repository that a published file must not name. */
export const REPO_DIRS = ["tooling", "packages", "apps"];

// `tooling/x`, `./apps/x`, `../../packages/x`, "tooling/x" at the start of a word — but not
// the tail of another path or URL (`https://example.com/apps/x`, `node_modules/x/packages/y`).
const REPO_PATH = new RegExp(String.raw`(?:^|[^\w@.\-/]|\.\.?/)((?:${REPO_DIRS.join("|")})/[\w.\-]*)`, "g");

/**
 * Every problem in the published `dist/` of the package at `dir`, as `file:line: text`.
 *
 * @example
 * ```js
 * const problems = findProblems("packages/backend-redis");
 * if (problems.length) console.error(problems.join("\n"));
 * ```
 *
 * @param {string} dir package directory
 * @returns {string[]}
 */
export function findProblems(dir) {
  const problems = [];
  for (const file of walk(join(dir, "dist"))) {
    const shown = relative(process.cwd(), file) || file;
    if (file.endsWith(".map")) {
      problems.push(`${shown}: a source map is shipped, but the sources it points at are not; build without maps`);
      continue;
    }
    const lines = readFileSync(file, "utf8").split("\n");
    for (const [i, line] of lines.entries()) {
      if (line.startsWith("//# sourceMappingURL=")) {
        problems.push(`${shown}:${i + 1}: points at a source map (${line.slice(21)}); build without maps`);
        continue;
      }
      for (const match of line.matchAll(REPO_PATH)) {
        problems.push(`${shown}:${i + 1}: names ${match[1]}, a path of this repository: ${line.trim().slice(0, 160)}`);
      }
    }
  }
  return problems;
}

/** @param {string} dir @returns {string[]} */
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === "ENOENT") throw new Error(`${dir} does not exist: build the package first`);
    throw err;
  }
  return entries.flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

function isMain() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  const dir = process.argv[2] ?? process.cwd();
  try {
    const problems = findProblems(dir);
    if (problems.length > 0) {
      console.error(`check-published-paths: ${problems.length} problem(s) in the published files of ${dir}:`);
      for (const p of problems) console.error(`  ${p}`);
      process.exit(1);
    }
  } catch (err) {
    console.error(`check-published-paths: ${err.message}`);
    process.exit(2);
  }
}
