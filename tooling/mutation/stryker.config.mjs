// Stryker: mutation testing of @core/backend-memory and of the @core/protocols/kit pieces
// it runs through (record collection, sorted ids, record store, cache layer, backend
// definition), against the conformance kit (packages/backend-memory/src/*.test.ts run the
// @core/conformance suites). Run from the root with `pnpm mutate` (builds the kit first).
// Not part of `pnpm test`/CI.
// Stryker runs with packages/ as its working directory (so the sandbox holds both
// backend-memory and protocols); paths below are relative to that directory.
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The kit's logic the memory suites exercise. Queue and transport kit pieces are left out
 * to keep the run near half an hour: their tests wait on timers, so each mutant costs
 * seconds.
 */
const KIT = [
  "protocols/src/kit/records/*.ts",
  "protocols/src/kit/cache/*.ts",
  "protocols/src/kit/backend/*.ts",
  "!protocols/src/kit/**/index.ts",
  // The fail-open wrapper is a tiered-cache helper no memory suite opens.
  "!protocols/src/kit/cache/fail-open-cache.ts",
];

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "pnpm",
  // pnpm does not hoist plugins next to @stryker-mutator/core, so name them explicitly.
  plugins: [here("./node_modules/@stryker-mutator/vitest-runner/dist/src/index.js"), here("./ignore-messages.mjs")],
  // Message wording is not part of the contract: see ignore-messages.mjs and SURVIVORS.md.
  ignorers: ["error-messages"],
  testRunner: "vitest",
  // The conformance kit is read from a snapshot (snapshot-kit.mjs) and @core/protocols from
  // the sandbox's sources, see vitest.mutation.config.mjs.
  vitest: { configFile: here("./vitest.mutation.config.mjs"), related: false },
  // Only the two packages under test are copied into the sandbox (backend-memory/dist too:
  // the keep-alive suite imports it in child processes).
  ignorePatterns: ["/*", "!/backend-memory", "!/protocols", "/protocols/dist", "*.tsbuildinfo"],
  mutate: [
    "backend-memory/src/**/*.ts",
    "!backend-memory/src/**/*.test.ts",
    "!backend-memory/src/index.ts",
    ...KIT,
    "!**/*.test.ts",
  ],
  coverageAnalysis: "perTest",
  // The machine is shared: one test-runner process at a time.
  concurrency: 1,
  // Timing-dependent tests (TTL expiry, wake-ups) must not be cut short by a loaded machine.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: "../tooling/mutation/reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "../tooling/mutation/reports/mutation.html" },
  jsonReporter: { fileName: "../tooling/mutation/reports/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  // Sandboxes live outside the repository, so other tools (biome, vitest, turbo) never see
  // instrumented copies of the source.
  tempDirName: "/tmp/stryker-backend-memory",
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: null },
};
