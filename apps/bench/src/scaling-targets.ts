import type { BenchResult, ScalingResult, TargetVerdict } from "./results.js";
import { SCALING_OPERATIONS } from "./scaling-operations.js";

/** Issue 15's baseline for a redis filtered page and count at 100k records (ms), and the target share of it. */
export const REDIS_FILTER_BASELINE_MS = 776;
const FILTER_SHARE = 0.1;
const GROWTH = 2;

const ORDERINGS = SCALING_OPERATIONS.filter((op) => op.ordering).map((op) => op.name);

const points = (results: readonly BenchResult[], backend: string) =>
  results.filter((r): r is ScalingResult => r.kind === "scaling" && r.backend === backend);

// The worst p50(largest size) ÷ p50(smallest size) over every ordering's page; undefined
// unless every ordering was measured at both sizes (a partial set would flatter us).
function worstGrowth(
  results: readonly BenchResult[],
  backend: string,
): { growth: number; name: string; small: number; large: number } | undefined {
  const mine = points(results, backend).filter((p) => ORDERINGS.includes(p.operation));
  const sizes = [...new Set(points(results, backend).map((p) => p.size))].sort((a, b) => a - b);
  if (sizes.length < 2) return undefined;
  const [small, large] = [sizes[0]!, sizes.at(-1)!];
  let worst: { growth: number; name: string; small: number; large: number } | undefined;
  for (const name of ORDERINGS) {
    const a = mine.find((p) => p.operation === name && p.size === small);
    const b = mine.find((p) => p.operation === name && p.size === large);
    if (!a || !b) return undefined;
    const growth = b.ours.p50Us / a.ours.p50Us;
    if (!worst || growth > worst.growth) worst = { growth, name, small, large };
  }
  return worst;
}

const sizeLabel = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

/**
 * Issue 15's scaling targets: on postgres, sqlite and redis every ordering's page at the
 * largest size (1M in the full run) takes ≤ 2× its time at the smallest (1k), judged on the
 * worst of the 16 orderings; on redis at 100k the filtered page and the filtered count take
 * ≤ 10% of the issue's 776 ms.
 *
 * @example
 * ```ts
 * for (const v of scalingTargets(results)) console.log(v.backend, v.target, v.verdict);
 * ```
 */
export function scalingTargets(results: readonly BenchResult[]): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  for (const backend of ["sqlite", "postgres", "redis"]) {
    const worst = worstGrowth(results, backend);
    const sizes = worst ? `${sizeLabel(worst.large)} vs ${sizeLabel(worst.small)}` : "1M vs 1k";
    const target = `records page (limit 100) in every ordering: p50 at ${sizes} ≤ ${GROWTH}× (worst of ${ORDERINGS.length})`;
    out.push(
      worst
        ? {
            backend,
            target,
            verdict: worst.growth <= GROWTH ? "met" : "not met",
            measured: `${worst.growth.toFixed(2)}× (${worst.name.replace(/^records page /, "")})`,
          }
        : { backend, target, verdict: "not measured", measured: "—" },
    );
  }
  const limitMs = REDIS_FILTER_BASELINE_MS * FILTER_SHARE;
  for (const [label, name] of [
    ["filtered page", 'records filtered page { "content.tag": "rare" } (1%)'],
    ["filtered count", 'records filtered count { "content.tag": "rare" } (1%)'],
  ] as const) {
    const p = points(results, "redis").find((r) => r.operation === name && r.size === 100_000);
    const target = `records ${label} (1%) at 100k: p50 ≤ ${limitMs.toFixed(1)} ms (10% of ${REDIS_FILTER_BASELINE_MS} ms)`;
    out.push(
      p
        ? {
            backend: "redis",
            target,
            verdict: p.ours.p50Us / 1000 <= limitMs ? "met" : "not met",
            measured: `${(p.ours.p50Us / 1000).toFixed(2)} ms`,
          }
        : { backend: "redis", target, verdict: "not measured", measured: "—" },
    );
  }
  return out;
}
