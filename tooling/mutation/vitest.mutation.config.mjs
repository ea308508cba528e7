// The vitest config of the mutation run: backend-memory's own test files and the kit's unit
// tests, run in Stryker's
// sandbox copy of packages/ (the working directory), with `@core/conformance` pointed at
// the snapshot taken by snapshot-kit.mjs and `@core/protocols` (root and /kit) at the
// sandbox's TypeScript sources, so the mutated kit is what the tests run.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const sandbox = process.cwd();

export default defineConfig({
  root: sandbox,
  resolve: {
    alias: [
      { find: /^@core\/conformance$/, replacement: fileURLToPath(new URL("./reports/kit/index.js", import.meta.url)) },
      { find: /^@core\/protocols\/kit$/, replacement: `${sandbox}/protocols/src/kit/index.ts` },
      { find: /^@core\/protocols$/, replacement: `${sandbox}/protocols/src/index.ts` },
    ],
  },
  test: {
    include: ["backend-memory/src/**/*.test.ts", "protocols/src/kit/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
