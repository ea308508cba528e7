import { compare } from "./measure.js";
import type { Profile } from "./profile.js";
import type { Progress } from "./progress.js";
import type { BenchResult } from "./results.js";
import { buildPairs, type Protocol } from "./scenarios.js";
import { type BackendName, openTarget, reason } from "./targets.js";
import { withTimeout } from "./timeout.js";

/**
 * How many pairs one backend has under a profile (for the progress bar and for the
 * "every scenario produced something" check).
 *
 * @example
 * ```ts
 * pairCount(makeProfile({ quick: true }));
 * ```
 */
export function pairCount(profile: Profile): number {
  const b = profile.batches.length;
  const gets = [1, ...profile.batches].filter((n) => n <= profile.keys).length;
  return 3 + 2 * b + (1 + b + gets) + (2 + b + 1);
}

const PROTOCOLS: readonly Protocol[] = ["cache", "queue", "records"];

/**
 * Runs every ours-versus-raw pair of one backend. Never throws: a backend that cannot be
 * opened, lacks a protocol, or fails a call yields `not-measured` entries with the reason.
 *
 * @example
 * ```ts
 * const results = await runPairs("sqlite", makeProfile({ quick: true }), progress);
 * ```
 */
export async function runPairs(
  name: BackendName,
  profile: Profile,
  progress: Progress,
  filter?: string,
): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const target = await openTarget(name);
  try {
    if (!target.backend || !target.raw) {
      const why = target.backend
        ? `raw baseline failed: ${target.rawError}`
        : `backend could not be opened: ${target.error}`;
      for (const protocol of PROTOCOLS) {
        out.push({
          kind: "not-measured",
          backend: name,
          section: "pairs",
          operation: `${protocol} (every pair)`,
          reason: why,
          byCapability: false,
        });
      }
      for (let i = 0; i < pairCount(profile); i++) progress.step(`${name}: not measured`);
      return out;
    }
    const pairs = buildPairs(target.backend, target.raw, { keys: profile.keys, batches: profile.batches });
    for (const pair of pairs) {
      const label = `${name} ${pair.protocol} ${pair.operation}`;
      if (filter && !label.includes(filter)) {
        progress.step(`${label} (filtered out)`);
        continue;
      }
      const base = { backend: name, operation: `${pair.protocol} ${pair.operation}` };
      if (!target.backend.capabilities[pair.protocol]) {
        out.push({
          kind: "not-measured",
          section: "pairs",
          ...base,
          reason: `capability ${pair.protocol} is false`,
          byCapability: true,
        });
      } else {
        try {
          const [ours, raw] = await withTimeout(
            compare([pair.ours, pair.raw], profile.measure),
            profile.scenarioTimeoutMs,
            label,
          );
          out.push({
            kind: "pair",
            ...base,
            operation: pair.operation,
            protocol: pair.protocol,
            batch: pair.batch,
            baseline: target.raw.description,
            ours: ours!,
            raw: raw!,
          });
        } catch (err) {
          out.push({ kind: "not-measured", section: "pairs", ...base, reason: reason(err), byCapability: false });
        }
      }
      progress.step(label);
    }
    return out;
  } finally {
    await target.close();
  }
}
