import { describe, expect, it } from "vitest";
import { PROPERTIES } from "./fuzz-core.js";
import { fuzzOnce, type PropertyName } from "./fuzz-run.js";
import { BACKENDS } from "./targets.js";

// A bounded CI run; `pnpm fuzz --minutes N` runs the same properties for longer.
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 8);
console.log(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED} pnpm --filter @core/reliability test src/fuzz.test.ts)`);

for (const backend of BACKENDS) {
  describe(`model-based fuzzing: ${backend}`, () => {
    for (const property of Object.keys(PROPERTIES) as PropertyName[]) {
      it(`${property}: ${NUM_RUNS} random sequences answer like the reference model (seed ${SEED})`, async () => {
        const result = await fuzzOnce(backend, property, { seed: SEED, numRuns: NUM_RUNS });
        expect(result.failure, `seed ${SEED}`).toBeUndefined();
      });
    }
  });
}
