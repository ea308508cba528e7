import { compare } from "./measure.js";
import { everyMode, type Mode, measures, modes } from "./modes.js";
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
 * pairCount(makeProfile({ quick: true }), "file");
 * ```
 */
export function pairCount(profile: Profile, name: BackendName): number {
  return modes(name).reduce((sum, mode) => sum + pairsOf(profile, mode), 0);
}

// The extra modes (file exclusive) measure only the operations they list.
function pairsOf(profile: Profile, mode: Mode): number {
  const b = profile.batches.length;
  const gets = [1, ...profile.batches].filter((n) => n <= profile.keys).length;
  return mode.operations?.length ?? 3 + 2 * b + (1 + b + gets) + (2 + b + 1);
}

const PROTOCOLS: readonly Protocol[] = ["cache", "queue", "records"];

/**
 * Runs every ours-versus-raw pair of one backend (the file backend's single-call pairs
 * again in exclusive mode, see modes.ts). Never throws: a backend that cannot be opened,
 * lacks a protocol, or fails a call yields `not-measured` entries with the reason.
 *
 * @example
 * ```ts
 * const results = await runPairs("sqlite", makeProfile({ quick: true }), progress);
 * ```
 */
export const runPairs = everyMode(runMode);

async function runMode(
  name: BackendName,
  mode: Mode,
  profile: Profile,
  progress: Progress,
  filter?: string,
): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const target = await openTarget(name, mode.options);
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
          operation: `${protocol} (every pair)${mode.suffix}`,
          reason: why,
          byCapability: false,
        });
      }
      for (let i = 0; i < pairsOf(profile, mode); i++) progress.step(`${name}: not measured`);
      return out;
    }
    const pairs = buildPairs(target.backend, target.raw, { keys: profile.keys, batches: profile.batches }).filter(
      (pair) => measures(mode, `${pair.protocol} ${pair.operation}`),
    );
    for (const pair of pairs) {
      const label = `${name} ${pair.protocol} ${pair.operation}${mode.suffix}`;
      if (filter && !label.includes(filter)) {
        progress.step(`${label} (filtered out)`);
        continue;
      }
      const base = { backend: name, operation: `${pair.protocol} ${pair.operation}${mode.suffix}` };
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
            operation: `${pair.operation}${mode.suffix}`,
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
