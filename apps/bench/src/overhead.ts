import { instrument } from "@core/otel";
import { compare, type Measurement } from "./measure.js";
import type { Profile } from "./profile.js";
import type { Progress } from "./progress.js";
import type { BenchResult } from "./results.js";
import { type BackendName, openTarget, reason } from "./targets.js";
import { withTimeout } from "./timeout.js";
import { cacheKey, VALUE } from "./workload.js";

/** The operation the instrumentation overhead is measured on: the cheapest, so the worst case. */
export const OVERHEAD_OPERATION = "cache get (hit)";

/** The target of issue 17: `instrument()` with no provider costs under 5% on cache get. */
export const OVERHEAD_TARGET = 0.05;

/**
 * More, shorter interleaved rounds than the pairs: the difference sought is a few percent,
 * so the median has to stand up to a loaded machine.
 */
const OVERHEAD_MEASURE = { rounds: 31, roundMs: 60 };

/** `instrument()`ed versus bare, on the same backend and cache, same run. */
export interface OverheadResult {
  kind: "overhead";
  backend: string;
  operation: string;
  /** What wraps the instrumented side. */
  wrapper: string;
  instrumented: Measurement;
  bare: Measurement;
}

/**
 * Relative cost of the instrumented side: `1 − instrumented calls/s ÷ bare calls/s`
 * (0.03 = 3% fewer calls per second).
 *
 * @example
 * ```ts
 * (overhead(result) * 100).toFixed(1);
 * ```
 */
export function overhead(r: OverheadResult): number {
  return 1 - r.instrumented.opsPerSec / r.bare.opsPerSec;
}

/**
 * Cache get through `@core/otel`'s `instrument()` with no tracer or meter provider
 * registered, against the same cache of the bare backend, interleaved in one run.
 *
 * @example
 * ```ts
 * const results = await runOverhead(["memory"], makeProfile({ quick: true }), progress);
 * ```
 */
export async function runOverhead(
  backends: readonly BackendName[],
  profile: Profile,
  progress: Progress,
): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const name of backends) {
    const target = await openTarget(name, { raw: false });
    try {
      if (!target.backend) throw new Error(`backend could not be opened: ${target.error}`);
      const bare = target.backend.cache<typeof VALUE>("bench-otel");
      const instrumented = instrument(target.backend).cache<typeof VALUE>("bench-otel");
      const keys = profile.keys;
      const fill = Array.from({ length: keys }, (_, i) => ({ key: cacheKey(i, keys), value: VALUE }));
      for (let from = 0; from < fill.length; from += 500) await bare.setMany(fill.slice(from, from + 500));
      const [withOtel, without] = await withTimeout(
        compare(
          [
            { name: "instrumented", run: (i) => instrumented.get(cacheKey(i, keys)) },
            { name: "bare", run: (i) => bare.get(cacheKey(i, keys)) },
          ],
          profile.quick ? profile.measure : OVERHEAD_MEASURE,
        ),
        profile.scenarioTimeoutMs,
        `${name} otel overhead`,
      );
      out.push({
        kind: "overhead",
        backend: name,
        operation: OVERHEAD_OPERATION,
        wrapper: "@core/otel instrument(), no provider registered",
        instrumented: withOtel!,
        bare: without!,
      });
    } catch (err) {
      out.push({
        kind: "not-measured",
        backend: name,
        section: "overhead",
        operation: OVERHEAD_OPERATION,
        reason: reason(err),
        byCapability: false,
      });
    } finally {
      await target.close();
    }
    progress.step(`${name} otel overhead`);
  }
  return out;
}

/**
 * The report's overhead table: bare and instrumented calls/s, the overhead and its verdict
 * against the 5% target.
 *
 * @example
 * ```ts
 * lines.push(...overheadTable(results.filter((r) => r.kind === "overhead")));
 * ```
 */
export function overheadTable(rows: readonly OverheadResult[]): string[] {
  if (rows.length === 0) return ["Not run."];
  const out = [
    "| backend | operation | bare calls/s | instrumented calls/s | p50 bare / instrumented (µs) | overhead | target < 5% |",
    "|---|---|---|---|---|---|---|",
  ];
  const n = (v: number) => Math.round(v).toLocaleString("en-US");
  for (const r of rows) {
    const o = overhead(r);
    out.push(
      `| ${r.backend} | ${r.operation} | ${n(r.bare.opsPerSec)} | ${n(r.instrumented.opsPerSec)} | ${r.bare.p50Us.toFixed(1)} / ${r.instrumented.p50Us.toFixed(1)} | ${(o * 100).toFixed(1)}% | ${o < OVERHEAD_TARGET ? "✅ met" : "❌ not met"} |`,
    );
  }
  return out;
}
