#!/usr/bin/env node
// Scaffolds a backend package: `pnpm create-backend <name> [--dir <path>]`.
//
// Inside this workspace (default: packages/backend-<name>) the package depends on
// @core/protocols and @core/conformance through `workspace:^` and gets a changeset.
// Anywhere else it is a standalone package that depends on them by version range (or any
// spec given with --protocols-spec / --conformance-spec, e.g. a file: tarball).
// Plain Node, no dependencies. The guide: packages/protocols/docs/writing-a-backend.md.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cacheTs } from "./create-backend/cache-template.mjs";
import * as pkg from "./create-backend/package-templates.mjs";
import * as src from "./create-backend/source-templates.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DEFAULT_RANGE = "^1.0.0";
// `pnpm create-backend` runs at the repository root; INIT_CWD is where the user typed it.
const CALLER_CWD = process.env.INIT_CWD ?? process.cwd();
// Schemes openBackend already maps to a package: a new backend must not shadow them.
const RESERVED = new Set(["memory", "file", "sqlite", "postgres", "postgresql", "redis", "rediss", "core"]);

const USAGE = `usage: pnpm create-backend <name> [options]

  <name>                     backend name and URL scheme: lower-case letters, digits and
                             dashes, starting with a letter (e.g. acme, dynamo-db)
  --dir <path>               where to write the package (default: packages/backend-<name>);
                             outside this repository a standalone package is written
  --package-name <name>      npm name (default: @core/backend-<name> inside, backend-<name> outside)
  --protocols-spec <spec>    dev dependency spec of @core/protocols  (outside; default ${DEFAULT_RANGE})
  --conformance-spec <spec>  dev dependency spec of @core/conformance (outside; default ${DEFAULT_RANGE})
  --protocols-peer <range>   peer range of @core/protocols (outside; default: --protocols-spec
                             when it is a version range, else ${DEFAULT_RANGE})
  -h, --help`;

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

/** Computes every name and spec the templates need from the parsed command line. */
export function plan(argv, cwd = CALLER_CWD) {
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
  const dir = resolve(cwd, values.dir ?? join(ROOT, "packages", `backend-${name}`));
  const workspace = isInside(ROOT, dir);
  if (workspace && (values["protocols-spec"] || values["conformance-spec"] || values["protocols-peer"])) {
    throw new UsageError("inside the workspace @core/protocols and @core/conformance are always workspace:^");
  }
  const packageName = checkPackageName(
    values["package-name"] ?? (workspace ? `@core/backend-${name}` : `backend-${name}`),
  );
  const protocolsSpec = workspace ? "workspace:^" : (values["protocols-spec"] ?? DEFAULT_RANGE);
  const conformanceSpec = workspace ? "workspace:^" : (values["conformance-spec"] ?? DEFAULT_RANGE);
  const protocolsPeer = workspace
    ? "workspace:^"
    : (values["protocols-peer"] ?? (isRange(protocolsSpec) ? protocolsSpec : DEFAULT_RANGE));
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
    "src/context.ts": src.contextTs(n),
    "src/backend.ts": src.backendTs(n),
    "src/cache.ts": cacheTs(n),
    [`src/${n.name}.conformance.test.ts`]: src.conformanceTestTs(n),
  };
}

/** Writes the package; refuses an existing directory. Returns the paths written. */
export function scaffold({ dir, names }) {
  if (existsSync(dir)) throw new UsageError(`${dir} already exists; refusing to overwrite it`);
  const written = [];
  for (const [path, text] of Object.entries(files(names))) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text, { flag: "wx" });
    written.push(target);
  }
  if (names.workspace) {
    const changeset = join(ROOT, ".changeset", `backend-${names.name}-initial.md`);
    // Formatted before the changeset is added: biome's Markdown formatter would turn its
    // front matter into a heading.
    formatWithBiome(written);
    if (!existsSync(changeset)) {
      writeFileSync(changeset, pkg.changesetMd(names), { flag: "wx" });
      written.push(changeset);
    }
  }
  return written;
}

// Inside the workspace `pnpm test` ends with `biome check .`: leave the new files in the
// repository's own format (JSON arrays, Markdown tables) so that check stays green.
function formatWithBiome(paths) {
  const biome = join(ROOT, "node_modules", ".bin", "biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", ...paths], { cwd: ROOT, stdio: "ignore" });
}

function nextSteps({ dir, names }) {
  const at = relative(CALLER_CWD, dir) || ".";
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
    "Every suite passes as generated (each protocol answers NOT_SUPPORTED). Implement a",
    "protocol (start with src/cache.ts), switch its capability on in src/backend.ts and run",
    "the suites again. The guide: @core/protocols/docs/writing-a-backend.md",
  );
  return lines.join("\n");
}

function main(argv) {
  try {
    const planned = plan(argv);
    if (planned.help) {
      console.log(USAGE);
      return 0;
    }
    scaffold(planned);
    console.log(nextSteps(planned));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || String(err?.code).startsWith("ERR_PARSE_ARGS")) {
      console.error(`create-backend: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
