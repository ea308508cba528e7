/** Statistics of one measured operation. */
export interface Measurement {
  /** Operations per second, median over rounds. */
  opsPerSec: number;
  minOpsPerSec: number;
  maxOpsPerSec: number;
  /** Per-operation latency percentiles over every sample (µs). */
  p50Us: number;
  p99Us: number;
}

/** A benchmark case: `run(i)` performs operation number `i`. */
export interface Case {
  name: string;
  setup?: () => Promise<void>;
  run: (i: number) => Promise<unknown> | unknown;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Measures several cases fairly: setup, a warm-up round each, then `rounds` rounds in
 * which the cases take turns (interleaved, so drift hits all alike). Each round runs
 * `opsPerRound` operations of each case, timing every operation.
 *
 * @example
 * ```ts
 * const [ours, raw] = await compare([{ name: "ours", run: (i) => cache.get(`k${i % 100}`) }, { name: "raw", run: (i) => map.get(`k${i % 100}`) }], { rounds: 5, opsPerRound: 1000 });
 * ```
 */
export async function compare(cases: Case[], options: { rounds: number; opsPerRound: number }): Promise<Measurement[]> {
  for (const c of cases) await c.setup?.();
  const warm = Math.max(10, Math.floor(options.opsPerRound / 5));
  for (const c of cases) for (let i = 0; i < warm; i++) await c.run(i);
  const rates: number[][] = cases.map(() => []);
  const samples: number[][] = cases.map(() => []);
  let counter = warm;
  for (let round = 0; round < options.rounds; round++) {
    for (const [index, c] of cases.entries()) {
      const start = performance.now();
      for (let i = 0; i < options.opsPerRound; i++) {
        const t0 = performance.now();
        await c.run(counter + i);
        samples[index]!.push((performance.now() - t0) * 1000);
      }
      const elapsed = performance.now() - start;
      rates[index]!.push((options.opsPerRound / elapsed) * 1000);
    }
    counter += options.opsPerRound;
  }
  return cases.map((_, index) => {
    const sorted = samples[index]!.sort((a, b) => a - b);
    return {
      opsPerSec: median(rates[index]!),
      minOpsPerSec: Math.min(...rates[index]!),
      maxOpsPerSec: Math.max(...rates[index]!),
      p50Us: percentile(sorted, 50),
      p99Us: percentile(sorted, 99),
    };
  });
}
