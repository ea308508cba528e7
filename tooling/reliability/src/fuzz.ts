/**
 * `pnpm fuzz [--minutes N] [--seed S] [--backend name] [--property name]`: runs the
 * model-based properties round after round (a new seed each round, starting at S) until
 * the time is up, printing every seed; exits 1 on the first failure with its seed.
 *
 * @example
 * ```sh
 * pnpm fuzz --minutes 10 --backend sqlite
 * ```
 */
import { parseArgs } from "node:util";
import { PROPERTIES } from "./fuzz-core.js";
import { fuzzOnce, type PropertyName } from "./fuzz-run.js";
import { BACKENDS, type BackendName } from "./targets.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: process.env.FUZZ_MINUTES ?? "1" },
    seed: { type: "string", default: process.env.FUZZ_SEED },
    backend: { type: "string", multiple: true },
    property: { type: "string", multiple: true },
    runs: { type: "string", default: "25" },
  },
});
const minutes = Number(values.minutes);
const runs = Number(values.runs);
const backends = (values.backend ?? [...BACKENDS]) as BackendName[];
const properties = (values.property ?? Object.keys(PROPERTIES)) as PropertyName[];
for (const b of backends)
  if (!BACKENDS.includes(b)) throw new Error(`unknown backend ${b}; one of ${BACKENDS.join(", ")}`);
for (const p of properties)
  if (!(p in PROPERTIES)) throw new Error(`unknown property ${p}; one of ${Object.keys(PROPERTIES).join(", ")}`);

let seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const deadline = Date.now() + minutes * 60_000;
let rounds = 0;
console.log(`fuzzing ${backends.join(", ")} × ${properties.join(", ")} for ${minutes} min from seed ${seed}`);
do {
  for (const backend of backends) {
    for (const property of properties) {
      const r = await fuzzOnce(backend, property, { seed, numRuns: runs });
      console.log(`${r.failure ? "FAIL" : "ok  "} ${backend} ${property} seed ${seed} (${runs} runs)`);
      if (r.failure) {
        console.error(
          `\n${r.failure}\n\nreplay: pnpm fuzz --seed ${seed} --backend ${backend} --property ${property} --minutes 0`,
        );
        process.exit(1);
      }
    }
  }
  rounds++;
  seed = (seed + 1) % 2 ** 31;
} while (Date.now() < deadline);
console.log(`${rounds} round(s), no failure`);
process.exit(0);
