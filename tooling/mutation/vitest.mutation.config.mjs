// The vitest config of the mutation run: backend-memory's own test files (run in Stryker's
// sandbox copy of packages/backend-memory, the working directory), with `@core/conformance`
// pointed at the snapshot taken by snapshot-kit.mjs.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: process.cwd(),
  resolve: {
    alias: [
      { find: /^@core\/conformance$/, replacement: fileURLToPath(new URL("./reports/kit/index.js", import.meta.url)) },
    ],
  },
  test: { include: ["src/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 60_000 },
});
