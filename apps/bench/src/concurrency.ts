import type { Case } from "./measure.js";
import { compareInFlight } from "./measure-in-flight.js";
import { everyMode, type Mode, measures, modes } from "./modes.js";
import type { Profile } from "./profile.js";
import type { Progress } from "./progress.js";
import type { BenchResult, ConcurrentResult } from "./results.js";
import { buildPairs, type Pair } from "./scenarios.js";
import { type BackendName, openTarget, reason, type Target, type TargetOptions } from "./targets.js";
import { withTimeout } from "./timeout.js";

/** Calls in flight of the concurrency rows (full profile). */
export const IN_FLIGHT = [1, 16, 64, 256] as const;

/** The single-call operations measured with many calls in flight (pair labels of `buildPairs`). */
export const CONCURRENT_OPERATIONS = [
  "cache get (hit)",
  "cache set",
  "queue put",
  "records get",
  "records store (upsert)",
] as const;

/** Pool size of ours and of the raw `pg.Pool` in the concurrency rows (ours' default). */
export const POSTGRES_POOL = 10;

// Each tuning is applied to ours and raw alike; the fastest of each side is reported, as
// an expert picks the faster setting for the load at hand.
function tunings(name: BackendName): { label: string; options: TargetOptions }[] {
  if (name === "postgres") return [{ label: `pool of ${POSTGRES_POOL}`, options: { pool: POSTGRES_POOL } }];
  if (name === "redis")
    return [
      { label: "plain", options: {} },
      { label: "auto-pipelining", options: { autoPipelining: true } },
    ];
  return [{ label: "", options: {} }];
}

interface Side {
  label: string;
  ours: Case;
  raw: Case;
}

/**
 * Ours against the raw driver with 1, 16, 64 and 256 calls in flight, for cache get/set,
 * queue put and records get/store. Postgres runs both sides on a pool of the same size;
 * Redis runs both sides with and without auto-pipelining and reports each side's faster
 * setting. The file backend runs once shared and once exclusive (see modes.ts), each with
 * rows of its own. Never throws: failures come back as `not-measured`.
 *
 * @example
 * ```ts
 * const rows = await runConcurrency("redis", makeProfile({ quick: true }), progress);
 * ```
 */
export const runConcurrency = everyMode(runMode);

async function runMode(
  name: BackendName,
  mode: Mode,
  profile: Profile,
  progress: Progress,
  filter?: string,
): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const targets: { label: string; target: Target; pairs?: Pair[] }[] = [];
  try {
    for (const t of tunings(name))
      targets.push({ label: t.label, target: await openTarget(name, { ...t.options, ...mode.options }) });
    const broken = targets.find(({ target }) => !target.backend || !target.raw);
    // One set of pairs per target: their prefills run once, on first use.
    if (!broken)
      for (const t of targets)
        t.pairs = buildPairs(t.target.backend!, t.target.raw!, { keys: profile.keys, batches: [] });
    for (const operation of CONCURRENT_OPERATIONS) {
      if (!measures(mode, operation)) continue;
      const protocol = operation.split(" ")[0] as "cache" | "queue" | "records";
      const reported = `${operation}${mode.suffix}`;
      for (const inFlight of profile.inFlight) {
        const label = `${name} ${reported} × ${inFlight}`;
        const base = {
          kind: "not-measured" as const,
          backend: name,
          section: "concurrency" as const,
          operation: `${reported} × ${inFlight}`,
        };
        progress.step(label);
        if (filter && !label.includes(filter)) continue;
        if (broken) {
          const t = broken.target;
          const why = t.backend ? `raw baseline failed: ${t.rawError}` : `backend could not be opened: ${t.error}`;
          out.push({ ...base, reason: why, byCapability: false });
          continue;
        }
        if (!targets[0]!.target.backend!.capabilities[protocol]) {
          out.push({ ...base, reason: `capability ${protocol} is false`, byCapability: true });
          continue;
        }
        try {
          const sides: Side[] = targets.map(({ label: tuning, pairs }) => {
            const pair = pairs!.find((p) => `${p.protocol} ${p.operation}` === operation);
            if (!pair) throw new Error(`no pair "${operation}"`);
            return { label: tuning, ours: pair.ours, raw: pair.raw };
          });
          const measured = await withTimeout(
            compareInFlight(
              sides.flatMap((s) => [s.ours, s.raw]),
              inFlight,
              profile.inFlightMeasure,
            ),
            profile.scenarioTimeoutMs,
            label,
          );
          const best = (offset: number) => {
            let at = 0;
            for (let i = 1; i < sides.length; i++)
              if (measured[2 * i + offset]!.opsPerSec > measured[2 * at + offset]!.opsPerSec) at = i;
            return { m: measured[2 * at + offset]!, label: sides[at]!.label };
          };
          const ours = best(0);
          const raw = best(1);
          out.push({
            kind: "concurrent",
            backend: name,
            operation: reported,
            inFlight,
            ours: ours.m,
            raw: raw.m,
            oursSetting: ours.label,
            rawSetting: raw.label,
            baseline: targets.find((t) => t.label === raw.label)!.target.raw!.description,
          } satisfies ConcurrentResult);
        } catch (err) {
          out.push({ ...base, reason: reason(err), byCapability: false });
        }
      }
    }
    return out;
  } finally {
    for (const { target } of targets) await target.close();
  }
}

/**
 * How many concurrency rows one backend has under a profile (progress bar, completeness check).
 *
 * @example
 * ```ts
 * concurrencyCount(makeProfile({}), "redis"); // 20
 * ```
 */
export function concurrencyCount(profile: Profile, name: BackendName): number {
  const operations = modes(name).flatMap((mode) => CONCURRENT_OPERATIONS.filter((op) => measures(mode, op)));
  return operations.length * profile.inFlight.length;
}
