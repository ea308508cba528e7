// Checks every ts/js code block of the READMEs and guides (see extract.mjs for which):
//  1. type-checks each block as its own module with tsc, the repository's strict settings
//     (tooling/typescript/base.json) and the built @core packages — js blocks with checkJs;
//  2. `node --check`s each js block on this Node (Node 20 has no `await using`);
//  3. runs each js block that needs only embedded backends (memory, file, sqlite), in a
//     temporary working directory.
// Canaries (wrong call shapes a reader would guess) must fail, so a check that stopped
// checking is caught too. Exit code 1 on any failure.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { extractBlocks, listDocs } from "./extract.mjs";

const PKG = resolve(import.meta.dirname, "..");
const ROOT = resolve(PKG, "../..");
// The docs to check: this repository, or another checkout (e.g. an older commit, to see it fail).
const DOCS_ROOT = resolve(process.env.DOCS_CHECK_ROOT ?? ROOT);
const OUT = join(PKG, "dist/snippets"); // dist: ignored by git and biome
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);
const NEEDS_SERVER = /\b(postgres(ql)?|rediss?):\/\/|@core\/backend-(postgres|redis)|from\s+["'](pg|ioredis)["']/;

// Guesses that must NOT type-check / parse: proof that the check has teeth.
const CANARIES = `
\`\`\`ts
import { openBackend } from "@core/protocols";
const backend = await openBackend("memory:");
await backend.queue("events").get(0);
\`\`\`

\`\`\`ts
import { openBackend } from "@core/protocols";
const backend = await openBackend("memory:");
for await (const r of backend.records("feed").query({ filter: { layer: "gold" } })) console.log(r);
\`\`\`

\`\`\`js
import { openBackend } from "@core/protocols";
await using backend = await openBackend("memory:");
\`\`\`
`;

const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);
const firstLines = (text, n = 12) => text.trim().split("\n").slice(0, n).join("\n");

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
for (const f of ["index.ts", "backend.ts", "backend-acme.ts"]) copyFileSync(join(PKG, "src/fixtures", f), join(OUT, f));

const docs = listDocs(DOCS_ROOT);
const blocks = [];
for (const doc of docs) {
  try {
    blocks.push(...extractBlocks(readFileSync(join(DOCS_ROOT, doc), "utf8"), doc));
  } catch (err) {
    fail(doc, err.message);
  }
}
const canaries = extractBlocks(CANARIES, "(canary)").map((b) => ({ ...b, canary: true }));

/** @type {Map<string, any>} file path → block */
const byPath = new Map();
for (const block of [...blocks, ...canaries]) {
  if (block.skip) continue;
  const slug = `${block.file.replace(/[^A-Za-z0-9]+/g, "_")}-L${block.line}`;
  const path = join(OUT, `${slug}.${block.kind === "ts" ? "ts" : "mjs"}`);
  writeFileSync(path, block.code);
  block.path = path;
  byPath.set(path, block);
}

// 1. tsc over every block at once (one program: fast), each file its own module.
const config = ts.parseJsonConfigFileContent(
  {
    extends: join(ROOT, "tooling/typescript/base.json"),
    compilerOptions: {
      noEmit: true,
      allowJs: true,
      checkJs: true,
      moduleDetection: "force",
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      paths: { "backend-acme": ["./backend-acme.ts"] },
    },
    files: [...byPath.keys()],
  },
  ts.sys,
  OUT,
);
for (const d of config.errors) fail("tsconfig", ts.flattenDiagnosticMessageText(d.messageText, "\n"));
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
const flagged = new Map(); // block → diagnostics so far
for (const d of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n    ");
  const block = d.file && byPath.get(resolve(d.file.fileName));
  if (!d.file || !block) {
    fail(d.file ? d.file.fileName : "tsc", `TS${d.code} ${message}`);
    continue;
  }
  flagged.set(block, (flagged.get(block) ?? 0) + 1);
  if (block.canary || flagged.get(block) > 5) continue; // the first few say enough
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
  fail(`${block.file}:${block.line + line}:${character + 1}`, `TS${d.code} ${message}`);
}
for (const c of canaries.filter((b) => b.kind === "ts"))
  if (!flagged.has(c)) fail(`canary ${c.line}`, `tsc accepted a wrong call shape:\n${c.code}`);

// 2 + 3. js blocks: syntax on this Node, then run those that need no server.
let ran = 0;
const work = mkdtempSync(join(tmpdir(), "docs-check-"));
for (const block of [...byPath.values()].filter((b) => b.kind === "js")) {
  const where = block.canary ? `canary ${block.line}` : `${block.file}:${block.line}`;
  const syntax = spawnSync(process.execPath, ["--check", block.path], { encoding: "utf8" });
  if (block.canary) {
    if (syntax.status === 0 && NODE_MAJOR < 24) fail(where, "node --check accepted `await using` on Node < 24");
    continue;
  }
  if (syntax.status !== 0) {
    fail(where, `node --check (Node ${process.versions.node}):\n${syntax.stderr.trim()}`);
    continue;
  }
  if (block.noRun || NEEDS_SERVER.test(block.code)) continue;
  const cwd = mkdtempSync(join(work, "run-"));
  const env = { ...process.env };
  delete env.STORE_URL;
  const run = spawnSync(process.execPath, [block.path], { cwd, env, encoding: "utf8", timeout: 30_000 });
  ran++;
  if (run.status !== 0)
    fail(where, `running it failed (${run.signal ?? `exit ${run.status}`}):\n${firstLines(run.stderr || run.stdout)}`);
}
rmSync(work, { recursive: true, force: true });

const checked = blocks.filter((b) => !b.skip);
const skipped = blocks.filter((b) => b.skip);
console.log(
  `docs-check: ${blocks.length} ts/js blocks in ${new Set(blocks.map((b) => b.file)).size} of ${docs.length} docs; ` +
    `type-checked ${checked.length} (${checked.filter((b) => b.kind === "js").length} js, node --check'ed), ` +
    `ran ${ran} js on Node ${process.versions.node}; skipped ${skipped.length}`,
);
for (const b of skipped) console.log(`  skipped ${b.file}:${b.line}: ${b.skip}`);
if (failures.length) {
  console.error(`\n${failures.length} problem(s):\n`);
  for (const f of failures) console.error(`- ${f}\n`);
  process.exit(1);
}
