import type { Backend } from "@core/protocols";
import fc from "fast-check";
import { PROPERTIES } from "./fuzz-core.js";
import { type BackendName, createTarget } from "./targets.js";

/** Name of one fuzzed property. */
export type PropertyName = keyof typeof PROPERTIES;

/** Result of one bounded run: the seed to replay it and the failure, if any. */
export interface FuzzResult {
  backend: BackendName;
  property: PropertyName;
  seed: number;
  numRuns: number;
  failure?: string;
}

/**
 * Runs one property against a fresh storage of `backend` with two clients (one for
 * memory), `numRuns` times from `seed`. Failures come back shrunk, with the seed.
 *
 * @example
 * ```ts
 * const r = await fuzzOnce("sqlite", "cache", { seed: 42, numRuns: 20 });
 * if (r.failure) console.error(`seed ${r.seed}: ${r.failure}`);
 * ```
 */
export async function fuzzOnce(
  backend: BackendName,
  property: PropertyName,
  options: { seed: number; numRuns: number },
): Promise<FuzzResult> {
  const target = await createTarget(backend);
  const clients: Backend[] = [await target.open()];
  if (backend !== "memory") clients.push(await target.open());
  try {
    const prop = PROPERTIES[property](async () => clients) as fc.IAsyncProperty<unknown>;
    const details = await fc.check(prop, { seed: options.seed, numRuns: options.numRuns, endOnFailure: false });
    const result: FuzzResult = { backend, property, seed: options.seed, numRuns: options.numRuns };
    if (details.failed) {
      const error =
        details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      result.failure = `${error}\ncounterexample: ${fc.stringify(details.counterexample)}\npath: ${details.counterexamplePath}`;
    }
    return result;
  } finally {
    for (const c of new Set(clients)) await c.close();
    await target.dispose();
  }
}
