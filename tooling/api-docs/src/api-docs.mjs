#!/usr/bin/env node
// The API reference of every published package: `pnpm run docs` writes it to docs/api/ (git-ignored);
// `--check` (this package's `test`, so part of `pnpm test`) converts and validates without
// writing and fails on an export without a doc comment or a {@link} that resolves nowhere.
//
// The packages are found, not listed: every packages/*/package.json that is not private, and
// each entry of its `exports` (but ./package.json). TypeDoc reads the TypeScript sources, not
// dist: `paths` point every package name and subpath at its source file, so the check needs no
// build and a reference from one package to another (a backend's `Backend`) links inside the site.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Application, Converter, LogLevel, ReflectionKind } from "typedoc";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const OUT = join(ROOT, "docs/api");
// What a module exports: each needs a doc comment, and each value (function, class, constant)
// an @example too. TypeDoc's own notDocumented check cannot take "Function" alone (it would
// also require every method of every interface), so functions are checked below with the rest.
const EXPORT_KINDS = ["Enum", "Variable", "Function", "Class", "Interface", "TypeAlias", "Namespace"];
const TYPEDOC_REQUIRED = EXPORT_KINDS.filter((kind) => kind !== "Function");
const NEEDS_EXAMPLE = ["Variable", "Function", "Class"];
const MEMBER_KINDS = ["Property", "Method", "Accessor", "Constructor", "EnumMember", "Function"];

/**
 * Every published package under packages/ and the source file of each of its exports.
 *
 * @returns `[{ name, dir, entries: [{ specifier, source }] }]`, sorted by name
 */
export function publishedPackages(root = ROOT) {
  const packagesDir = join(root, "packages");
  const found = [];
  for (const dirName of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, dirName);
    const manifestPath = join(dir, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    // A private package is not published; a bin-only one (create-core-backend) has no API.
    if (manifest.private || (!manifest.exports && !manifest.types)) continue;
    const entries = [];
    for (const [subpath, target] of Object.entries(manifest.exports ?? { ".": manifest.types })) {
      if (subpath === "./package.json") continue;
      const types = typeof target === "string" ? target : target?.types;
      if (typeof types !== "string") throw new Error(`${manifest.name}: exports["${subpath}"] has no types`);
      const source = sourceOf(dir, types);
      if (!source) throw new Error(`${manifest.name}: no source file for ${types} (expected src/… beside dist/…)`);
      entries.push({ specifier: subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`, source });
    }
    if (entries.length > 0) found.push({ name: manifest.name, dir, entries });
  }
  return found;
}

// ./dist/kit/index.d.ts → <dir>/src/kit/index.ts (every package builds src/ into dist/); a bin-only
// package written in plain JavaScript has its declarations beside it: ./x.d.ts → x.d.ts itself.
function sourceOf(dir, types) {
  const built = join(dir, types);
  const candidates = [
    built.replace(`${join(dir, "dist")}/`, `${join(dir, "src")}/`).replace(/\.d\.ts$/, ".ts"),
    built.replace(`${join(dir, "dist")}/`, `${join(dir, "src")}/`).replace(/\.d\.ts$/, ".mts"),
    built,
  ];
  return (
    candidates.find((file) => file.includes(`${join(dir, "src")}/`) && existsSync(file)) ??
    candidates.find((file) => existsSync(file))
  );
}

/**
 * Converts (and unless `check`, renders) the reference; returns the number of problems found.
 *
 * @param {{ check: boolean, members?: boolean, out?: string }} options
 */
export async function build({ check, members = false, out = OUT }) {
  const packages = publishedPackages();
  const entries = packages.flatMap((p) => p.entries);
  const paths = Object.fromEntries(entries.map((e) => [e.specifier, [e.source]]));
  const app = await Application.bootstrapWithPlugins({
    name: "@core API reference",
    entryPoints: entries.map((e) => e.source),
    entryPointStrategy: "resolve",
    tsconfig: join(ROOT, "tooling/api-docs/tsconfig.json"),
    compilerOptions: { paths, noEmit: true },
    readme: join(ROOT, "tooling/api-docs/INDEX.md"),
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    // Source links would need a public repository URL; the reference stands on its comments.
    disableSources: true,
    sort: ["kind", "alphabetical"],
    // Every export and member has a doc comment; every {@link} resolves.
    validation: { notExported: false, invalidLink: true, rewrittenLink: true, notDocumented: true },
    // --members: also list members of interfaces and classes without a comment (not yet required).
    requiredToBeDocumented: members ? [...TYPEDOC_REQUIRED, ...MEMBER_KINDS] : TYPEDOC_REQUIRED,
    // TypeDoc holds only the package it runs in to notDocumented by default (this private one).
    packagesRequiringDocumentation: packages.map((p) => p.name),
    treatValidationWarningsAsErrors: true,
    logLevel: LogLevel.Info,
  });
  nameModules(app, entries);
  const project = await app.convert();
  if (!project) return 1;
  app.validate(project);
  const exportProblems = checkExports(project);
  for (const problem of exportProblems) console.error(`[error] ${problem}`);
  const problems = app.logger.errorCount + app.logger.warningCount + exportProblems.length;
  if (problems === 0 && !check) await app.generateDocs(project, out);
  const modules = project.getReflectionsByKind(ReflectionKind.Module).length;
  const exportCount = project.getReflectionsByKind(ReflectionKind.SomeExport).length;
  console.log(
    `api-docs: ${packages.length} packages, ${entries.length} entry points, ${modules} modules, ${exportCount} documented declarations; ${problems} problem(s)` +
      (problems === 0 && !check ? `; written to ${relative(process.cwd(), out) || "."}` : ""),
  );
  return problems;
}

// House rule: every public export has a doc comment, and every value shows its use in an
// @example. A function's comment sits on its signature.
function checkExports(project) {
  const problems = [];
  for (const module of project.getReflectionsByKind(ReflectionKind.Module)) {
    for (const child of module.children ?? []) {
      if (!EXPORT_KINDS.some((kind) => child.kindOf(ReflectionKind[kind]))) continue;
      const comments = [child.comment, ...(child.signatures ?? []).map((s) => s.comment)].filter(Boolean);
      const name = `${module.name}: ${child.name} (${ReflectionKind[child.kind]})`;
      if (comments.length === 0) problems.push(`${name} has no doc comment`);
      else if (
        NEEDS_EXAMPLE.some((kind) => child.kindOf(ReflectionKind[kind])) &&
        !comments.some((c) => c.getTag("@example"))
      ) {
        problems.push(`${name} has no @example`);
      }
    }
  }
  return problems;
}

// TypeDoc names a module by its file path ("protocols/src/kit"); a reader imports it by its
// package specifier ("@core/protocols/kit").
function nameModules(app, entries) {
  const bySource = new Map(entries.map((e) => [resolve(e.source), e.specifier]));
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    const specifier = file && bySource.get(resolve(file));
    if (specifier) reflection.name = specifier;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  const members = process.argv.includes("--members");
  process.exitCode = (await build({ check: check || members, members })) === 0 ? 0 : 1;
}
