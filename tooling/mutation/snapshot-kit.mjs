// Copies the built conformance kit (packages/conformance/dist) to reports/kit, which the
// mutation run's vitest config aliases `@core/conformance` to: other work rebuilding the
// kit during a 20-minute run then cannot change the tests under Stryker's feet (a renamed
// or half-written test file makes every mutant it covered "survive" with no test run).
import { cpSync, existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const from = fileURLToPath(new URL("../../packages/conformance/dist", import.meta.url));
const to = fileURLToPath(new URL("./reports/kit", import.meta.url));
if (!existsSync(`${from}/index.js`)) {
  console.error("packages/conformance/dist is missing: run `pnpm --filter @core/conformance build` first");
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
console.log(`conformance kit snapshot: ${to}`);
