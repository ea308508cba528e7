// Package-level files of a scaffolded backend: package.json, tsconfig, vitest config,
// README and (inside the workspace) a changeset. `n.workspace` selects the flavour: inside
// the monorepo the shared @core/tsconfig and workspace: ranges, outside it standalone
// configs and published version ranges.

// Tool versions known to work on Node 20 (see docs/ARCHITECTURE.md).
const VERSIONS = {
  typesNode: "20.19.43",
  typescript: "5.9.3",
  vitest: "4.1.12",
  publint: "0.3.25",
  attw: "0.18.5",
};

const COMPILER_OPTIONS = {
  target: "ES2023",
  lib: ["ES2023", "ES2024.String", "ESNext.Disposable"],
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  declaration: true,
  declarationMap: true,
  sourceMap: true,
  skipLibCheck: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  types: ["node"],
};

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** @param {Names} n */
export function packageJson(n) {
  const workspace = n.workspace;
  const pkg = {
    name: n.packageName,
    version: workspace ? "0.0.0" : "0.1.0",
    description: `${n.pascal} backend for @core/protocols: opens with ${n.name}: URLs.`,
    license: "MIT",
    type: "module",
    sideEffects: false,
    engines: { node: ">=20.19" },
    exports: {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./package.json": "./package.json",
    },
    files: ["dist"],
    keywords: ["core-backend", n.name],
    scripts: {
      build: "tsc -p tsconfig.build.json",
      typecheck: "tsc -p tsconfig.json --noEmit",
      test: "vitest run",
      "check:package": "publint --strict && attw --pack . --profile esm-only",
      ...(workspace ? {} : { prepack: "tsc -p tsconfig.build.json" }),
    },
    // The user installs @core/protocols (and any driver) once, in the application: a peer
    // with a range keeps a single copy, so BackendError and the registry are shared.
    peerDependencies: { "@core/protocols": n.protocolsPeer },
    devDependencies: sortKeys({
      "@core/conformance": n.conformanceSpec,
      "@core/protocols": n.protocolsSpec,
      ...(workspace ? { "@core/tsconfig": "workspace:*" } : {}),
      ...(workspace ? {} : { "@arethetypeswrong/cli": VERSIONS.attw, publint: VERSIONS.publint }),
      "@types/node": VERSIONS.typesNode,
      typescript: VERSIONS.typescript,
      vitest: VERSIONS.vitest,
    }),
  };
  return json(pkg);
}

function sortKeys(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** @param {Names} n */
export function tsconfigJson(n) {
  if (n.workspace) {
    return json({ extends: "@core/tsconfig/base.json", compilerOptions: { noEmit: true }, include: ["src"] });
  }
  return json({ compilerOptions: { ...COMPILER_OPTIONS, noEmit: true }, include: ["src"] });
}

/** @param {Names} n */
export function tsconfigBuildJson() {
  return json({
    extends: "./tsconfig.json",
    compilerOptions: { outDir: "dist", rootDir: "src", noEmit: false },
    include: ["src"],
    exclude: ["src/**/*.test.ts"],
  });
}

/** @param {Names} n */
export function vitestConfigTs(n) {
  return `import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "backend-${n.name}", include: ["src/**/*.test.ts"] },
});
`;
}

/** @param {Names} n */
export function readmeMd(n) {
  return `# ${n.packageName}

A ${n.name} backend for [\`@core/protocols\`](https://www.npmjs.com/package/@core/protocols):
\`openBackend("${n.name}:")\` hands out the protocols this backend implements, held to the
shared \`@core/conformance\` suites.

\`\`\`sh
npm install @core/protocols ${n.packageName}
\`\`\`

\`\`\`ts
import { loadProvider, openBackend, registerBackend } from "@core/protocols";

registerBackend(await loadProvider("${n.packageName}")); // or: import { provider } from "${n.packageName}"
await using backend = await openBackend("${n.name}:");
console.log(backend.capabilities);
const cache = backend.cache<number>("hits", { defaultTtlMs: 60_000 });
await cache.increment("home");
\`\`\`

Or without the registry: \`import { open${n.pascal}Backend } from "${n.packageName}"\`.

## How it is built

The whole backend is four source files; the shared layer of \`@core/protocols/kit\` builds
each protocol's public object from a narrow driver, so the backend only stores:

| file | what is inside |
|---|---|
| \`src/name.ts\` | \`BACKEND = "${n.name}"\`: the name, URL scheme and \`[${n.name}]\` error prefix |
| \`src/cache-driver.ts\` | the cache's storage: a Map per namespace (\`CacheStore\`), handed to \`createCache\` |
| \`src/backend.ts\` | the \`Backend\`: capabilities, \`cache()\` = \`createCache(driver, name, options)\`, \`NOT_SUPPORTED\` for the rest |
| \`src/index.ts\` | \`open${n.pascal}Backend()\` and the \`provider\` of the registry |

\`createCache\` validates every argument, answers \`CLOSED\`, encodes and decodes with the
codec, counts hits and misses and matches globs; the driver receives validated keys, TTLs
and encoded text. To move the cache to real storage, rewrite the methods of
\`${n.pascal}CacheStore\`; to add a protocol, write its driver (\`queue-driver.ts\` for
\`createQueue\`, \`records-driver.ts\` for \`createRecordStore\`) and switch its capability
on. The guide: "Writing a backend" in \`@core/protocols\` (\`docs/writing-a-backend.md\`).

## Options

| option | default | meaning |
|---|---|---|
| \`url\` | — | the URL, when opened through \`openBackend\` |

## Capabilities

Read them from the instance (\`backend.capabilities\`). A protocol this backend does not
have throws \`NOT_SUPPORTED\`. As generated: \`cache\` (in this process, not persistent, no
\`maxEntries\`); the other protocols are not supported yet.

## Guarantees

Durability, ordering and delivery of this backend: describe them here (see "Writing a
backend" in \`@core/protocols\`, \`docs/writing-a-backend.md\`).

## Limits

Key and value sizes, throughput, what is not supported.

## Development

\`\`\`sh
${n.workspace ? "pnpm --filter " + n.packageName + " test" : "npm install && npm test"}   # the conformance suites
${n.workspace ? "pnpm --filter " + n.packageName + " check:package" : "npm run build && npm run check:package"}   # publint --strict and attw
\`\`\`
`;
}

/** @param {Names} n */
export function changesetMd(n) {
  return `---
"${n.packageName}": major
---

First release (1.0.0) of the ${n.name} backend.
`;
}

/**
 * @typedef {object} Names
 * @property {string} name        backend name and URL scheme, e.g. "acme"
 * @property {string} pascal      "Acme"
 * @property {string} packageName "@core/backend-acme" or "backend-acme"
 * @property {boolean} workspace  inside the monorepo
 * @property {string} protocolsSpec   devDependency spec of @core/protocols
 * @property {string} conformanceSpec devDependency spec of @core/conformance
 * @property {string} protocolsPeer   peer range of @core/protocols
 */
