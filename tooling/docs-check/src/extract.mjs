// Finds the READMEs and guides and extracts their ts/js code blocks.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Languages of the blocks that are checked; every other fence (sh, sql, json, …) is prose. */
export const LANGS = { ts: "ts", typescript: "ts", js: "js", javascript: "js", mjs: "js" };

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
const MARKER = /^\s*<!--\s*snippet:\s*([\w-]+)(.*?)-->\s*$/; // alone on its line

/**
 * The documents that count as READMEs and guides, relative to the repository root: every
 * Markdown file at the root (README, RELIABILITY, BENCHMARKS), docs/**, each package's and
 * app's README and packages' shipped docs/**. Changesets and node_modules are not docs.
 */
export function listDocs(root) {
  const docs = [];
  const md = (dir) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith(".md")) : [];
  const walk = (dir) => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".md")) docs.push(rel);
    }
  };
  for (const f of md(".")) docs.push(f);
  walk("docs");
  for (const group of ["packages", "apps", "tooling"]) {
    if (!existsSync(join(root, group))) continue;
    for (const pkg of readdirSync(join(root, group), { withFileTypes: true })) {
      if (!pkg.isDirectory()) continue;
      for (const f of md(`${group}/${pkg.name}`)) docs.push(`${group}/${pkg.name}/${f}`);
      walk(`${group}/${pkg.name}/docs`);
    }
  }
  return docs.sort();
}

/**
 * The code blocks of one Markdown text. A block may be preceded (blank lines allowed) by
 * `<!-- snippet: skip <reason> -->` (not checked at all: a genuine fragment) or
 * `<!-- snippet: no-run <reason> -->` (type-checked and `node --check`ed, not run).
 *
 * @returns {{ file: string, line: number, lang: string, kind: "ts" | "js", code: string,
 *   skip?: string, noRun?: string }[]} blocks of checked languages; `line` is the first code line
 * @throws on an unknown marker, a marker without a reason, a marker before no checked block
 */
export function extractBlocks(markdown, file) {
  const lines = markdown.split("\n");
  const blocks = [];
  let pending; // a marker waiting for its block
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = MARKER.exec(line);
    if (marker) {
      const [, kind, rest] = marker;
      const reason = rest.trim();
      if (kind !== "skip" && kind !== "no-run") throw new Error(`${file}:${i + 1}: unknown snippet marker "${kind}"`);
      if (!reason) throw new Error(`${file}:${i + 1}: snippet marker "${kind}" needs a reason`);
      pending = { kind, reason, line: i + 1 };
      continue;
    }
    const open = FENCE.exec(line);
    if (!open) {
      if (pending && line.trim() !== "")
        throw new Error(`${file}:${pending.line}: marker is not followed by a code block`);
      continue;
    }
    const [, indent, fence, info] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j];
      if (l.trim().startsWith(fence[0].repeat(fence.length)) && l.trim().replace(/[`~]/g, "") === "") break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    const kind = LANGS[info.toLowerCase()];
    if (kind) {
      blocks.push({
        file,
        line: i + 2,
        lang: info.toLowerCase(),
        kind,
        code: `${body.join("\n")}\n`,
        ...(pending?.kind === "skip" ? { skip: pending.reason } : {}),
        ...(pending?.kind === "no-run" ? { noRun: pending.reason } : {}),
      });
    } else if (pending) {
      throw new Error(`${file}:${pending.line}: marker before a \`${info || "plain"}\` block, which is never checked`);
    }
    pending = undefined;
    i = j;
  }
  if (pending) throw new Error(`${file}:${pending.line}: marker is not followed by a code block`);
  return blocks;
}
