// Stryker: mutation testing of @core/backend-memory's protocol logic against the
// conformance kit (packages/backend-memory/src/*.test.ts run the @core/conformance suites).
// Run from the root with `pnpm mutate` (builds the kit first). Not part of `pnpm test`/CI.
// Stryker runs with packages/backend-memory as its working directory; paths below are
// relative to that directory.
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "pnpm",
  // pnpm does not hoist plugins next to @stryker-mutator/core, so name them explicitly.
  plugins: [here("./node_modules/@stryker-mutator/vitest-runner/dist/src/index.js"), here("./ignore-messages.mjs")],
  // Message wording is not part of the contract: see ignore-messages.mjs and SURVIVORS.md.
  ignorers: ["error-messages"],
  testRunner: "vitest",
  // The kit is read from a snapshot (snapshot-kit.mjs), see vitest.mutation.config.mjs.
  vitest: { configFile: here("./vitest.mutation.config.mjs"), related: false },
  mutate: ["src/**/*.ts", "!src/**/*.test.ts", "!src/index.ts"],
  coverageAnalysis: "perTest",
  // The machine is shared: one test-runner process at a time.
  concurrency: 1,
  // Timing-dependent tests (TTL expiry, wake-ups) must not be cut short by a loaded machine.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: "../../tooling/mutation/reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "../../tooling/mutation/reports/mutation.html" },
  jsonReporter: { fileName: "../../tooling/mutation/reports/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  // Sandboxes live outside the repository, so other tools (biome, vitest, turbo) never see
  // instrumented copies of the source.
  tempDirName: "/tmp/stryker-backend-memory",
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: null },
};
