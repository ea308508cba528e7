// Scaffolds a backend package for @core/protocols. Two front doors share this module:
//
// - `npm create core-backend@latest <name>` (bin/create-core-backend.mjs, no repository):
//   a standalone package in ./backend-<name> that depends on the published @core/protocols and
//   @core/conformance with the ranges of the versions this release was built against
//   (dist/versions.json, written from their package.json at build time).
// - `pnpm create-backend <name>` inside the monorepo (its repository script passes
//   `root`): packages/backend-<name> with `workspace:^` ranges and a changeset; a --dir outside
//   the repository gets the standalone flavour.
//
// Plain Node, no dependencies. The guide: @core/protocols/docs/writing-a-backend.md.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { cacheDriverTs } from "./templates/cache-template.mjs";
import * as pkg from "./templates/package-templates.mjs";
import * as src from "./templates/source-templates.mjs";
import { publishedRanges } from "./versions.mjs";

// Schemes openBackend already maps to a package: a new backend must not shadow them.
const RESERVED = new Set(["memory", "file", "sqlite", "postgres", "postgresql", "redis", "rediss", "core"]);

function usage(command, root) {
  const ranges = publishedRanges();
  const where = root ? "packages/backend-<name>" : "./backend-<name>";
  return `usage: ${command} <name> [options]

  <name>                     backend name and URL scheme: lower-case letters, digits and
                             dashes, starting with a letter (e.g. acme, dynamo-db)
  --dir <path>               where to write the package (default: ${where})${
    root ? "\n                             outside this repository a standalone package is written" : ""
  }
  --package-name <name>      npm name (default: ${root ? "@core/backend-<name> inside, " : ""}backend-<name>${root ? " outside" : ""})
  --protocols-spec <spec>    dev dependency spec of @core/protocols  (default ${ranges.protocols})
  --conformance-spec <spec>  dev dependency spec of @core/conformance (default ${ranges.conformance})
  --protocols-peer <range>   peer range of @core/protocols (default: --protocols-spec when it
                             is a version range, else ${ranges.protocols})
  -h, --help`;
}

class UsageError extends Error {}

/** Validates the backend name; returns it or throws a UsageError saying what is wrong. */
export function checkName(name) {
  if (typeof name !== "string" || name.length === 0) throw new UsageError("a backend name is required");
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new UsageError(
      `invalid backend name ${JSON.stringify(name)}: use lower-case letters, digits and single dashes, starting with a letter`,
    );
  }
  if (name.length > 40) throw new UsageError(`backend name ${JSON.stringify(name)} is longer than 40 characters`);
  if (RESERVED.has(name)) throw new UsageError(`"${name}" is a built-in backend scheme; choose another name`);
  return name;
}

function checkPackageName(name) {
  if (!/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(name) || name.length > 214) {
    throw new UsageError(`invalid npm package name ${JSON.stringify(name)}`);
  }
  return name;
}

const isRange = (spec) => /^[\^~]?\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec) || /^[<>=]/.test(spec);

function isInside(parent, child) {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

/**
 * Computes every name and spec the templates need from the parsed command line.
 *
 * @param {string[]} argv
 * @param {string} cwd where relative paths start (the caller's directory)
 * @param {string | undefined} root the monorepo root when run from a checkout, else undefined
 */
export function plan(argv, cwd, root) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: "string" },
      "package-name": { type: "string" },
      "protocols-spec": { type: "string" },
      "conformance-spec": { type: "string" },
      "protocols-peer": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return { help: true };
  if (positionals.length > 1) throw new UsageError(`expected one name, got ${positionals.length}`);
  const name = checkName(positionals[0]);
  const dir = resolve(cwd, values.dir ?? (root ? join(root, "packages", `backend-${name}`) : `backend-${name}`));
  const workspace = root !== undefined && isInside(root, dir);
  const ranges = publishedRanges();
  if (workspace && (values["protocols-spec"] || values["conformance-spec"] || values["protocols-peer"])) {
    throw new UsageError("inside the workspace @core/protocols and @core/conformance are always workspace:^");
  }
  const packageName = checkPackageName(
    values["package-name"] ?? (workspace ? `@core/backend-${name}` : `backend-${name}`),
  );
  const protocolsSpec = workspace ? "workspace:^" : (values["protocols-spec"] ?? ranges.protocols);
  const conformanceSpec = workspace ? "workspace:^" : (values["conformance-spec"] ?? ranges.conformance);
  const protocolsPeer = workspace
    ? "workspace:^"
    : (values["protocols-peer"] ?? (isRange(protocolsSpec) ? protocolsSpec : ranges.protocols));
  const pascal = name
    .split("-")
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
  return {
    help: false,
    dir,
    names: { name, pascal, packageName, workspace, protocolsSpec, conformanceSpec, protocolsPeer },
  };
}

/** The files of the package, path → text. */
export function files(n) {
  return {
    "package.json": pkg.packageJson(n),
    "tsconfig.json": pkg.tsconfigJson(n),
    "tsconfig.build.json": pkg.tsconfigBuildJson(n),
    "vitest.config.ts": pkg.vitestConfigTs(n),
    "README.md": pkg.readmeMd(n),
    "src/index.ts": src.indexTs(n),
    "src/name.ts": src.nameTs(n),
    "src/backend.ts": src.backendTs(n),
    "src/cache-driver.ts": cacheDriverTs(n),
    [`src/${n.name}.conformance.test.ts`]: src.conformanceTestTs(n),
  };
}

/**
 * Writes the package; refuses an existing directory. Returns the paths written.
 *
 * @param {{ dir: string, names: import("./templates/package-templates.mjs").Names }} planned
 * @param {string | undefined} root the monorepo root (for the changeset and formatting), if any
 */
export function scaffold({ dir, names }, root) {
  if (existsSync(dir)) throw new UsageError(`${dir} already exists; refusing to overwrite it`);
  const written = [];
  for (const [path, text] of Object.entries(files(names))) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text, { flag: "wx" });
    written.push(target);
  }
  if (names.workspace) {
    const changeset = join(root, ".changeset", `backend-${names.name}-initial.md`);
    // Formatted before the changeset is added: biome's Markdown formatter would turn its
    // front matter into a heading.
    formatWithBiome(root, written);
    if (!existsSync(changeset)) {
      writeFileSync(changeset, pkg.changesetMd(names), { flag: "wx" });
      written.push(changeset);
    }
  }
  return written;
}

// Inside the workspace `pnpm test` ends with `biome check .`: leave the new files in the
// repository's own format (JSON arrays, Markdown tables) so that check stays green.
function formatWithBiome(root, paths) {
  const biome = join(root, "node_modules", ".bin", "biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", ...paths], { cwd: root, stdio: "ignore" });
}

function nextSteps({ dir, names }, cwd) {
  const at = relative(cwd, dir) || ".";
  const lines = [`Created ${names.packageName} in ${at}`, "", "Next:"];
  if (names.workspace) {
    lines.push(
      "  pnpm install",
      `  pnpm turbo run build --filter=${names.packageName}^... && pnpm --filter ${names.packageName} test`,
    );
  } else {
    lines.push(`  cd ${at} && npm install && npm test`);
  }
  lines.push(
    "",
    "Every suite passes as generated: the cache (a Map, src/cache-driver.ts) gets its whole",
    "suite, the other protocols answer NOT_SUPPORTED. Store the cache where your backend",
    "stores, add a driver per protocol, switch its capability on in src/backend.ts and run",
    "the suites again. The guide: @core/protocols/docs/writing-a-backend.md",
  );
  return lines.join("\n");
}

/**
 * Runs the command line; returns the exit code (2 on a usage error).
 *
 * @param {string[]} argv the arguments after the command
 * @param {{ command: string, cwd: string, root?: string }} context
 */
export function main(argv, { command, cwd, root }) {
  try {
    const planned = plan(argv, cwd, root);
    if (planned.help) {
      console.log(usage(command, root));
      return 0;
    }
    scaffold(planned, root);
    console.log(nextSteps(planned, cwd));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || String(err?.code).startsWith("ERR_PARSE_ARGS")) {
      console.error(`${command}: ${err.message}\n\n${usage(command, root)}`);
      return 2;
    }
    throw err;
  }
}
