/** Statistics of one measured operation. */
export interface Measurement {
  /** Calls per second, median over rounds. */
  opsPerSec: number;
  minOpsPerSec: number;
  maxOpsPerSec: number;
  /** Per-call latency percentiles over every sample (µs). */
  p50Us: number;
  p99Us: number;
  /** Calls timed in total. */
  samples: number;
  /**
   * Calls per second of each round, in round order: round `i` of every case of one
   * `compare` ran back to back, so `ratioOfRounds` can pair them.
   */
  roundRates: number[];
}

/** A benchmark case: `run(i)` performs call number `i`. */
export interface Case {
  name: string;
  setup?: () => Promise<void>;
  run: (i: number) => Promise<unknown> | unknown;
}

/** How long to measure: `rounds` interleaved rounds of about `roundMs` per case. */
export interface MeasureOptions {
  rounds: number;
  roundMs: number;
}

// Enough for a stable p99 without unbounded memory on million-op/s cases.
const MAX_SAMPLES = 200_000;

/**
 * The `p`th percentile of an ascending array.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 3
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The median of the values (the upper middle one of an even count).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Measures several cases fairly: setup, a warm-up (half a round) each, then `rounds`
 * rounds in which the cases take turns (interleaved, so drift hits all alike). A round
 * runs one case for about `roundMs`, timing every call; the rate of a round is calls over
 * elapsed time.
 *
 * @example
 * ```ts
 * const [ours, raw] = await compare([{ name: "ours", run: (i) => cache.get(`k${i % 100}`) }, { name: "raw", run: (i) => map.get(`k${i % 100}`) }], { rounds: 5, roundMs: 200 });
 * ```
 */
export async function compare(cases: readonly Case[], options: MeasureOptions): Promise<Measurement[]> {
  for (const c of cases) await c.setup?.();
  const counters = cases.map(() => 0);
  const runFor = async (index: number, ms: number, samples: number[] | null, cap = 0): Promise<number> => {
    const c = cases[index]!;
    const start = performance.now();
    const deadline = start + ms;
    let calls = 0;
    let now = start;
    do {
      const t0 = now;
      await c.run(counters[index]!++);
      now = performance.now();
      calls++;
      if (samples && samples.length < cap) samples.push((now - t0) * 1000);
    } while (now < deadline);
    return (calls / (now - start)) * 1000;
  };
  return interleavedRounds(cases.length, options, runFor);
}

/**
 * Runs `runFor` for each case: a warm-up of half a round, then `options.rounds` rounds in
 * which the cases take turns (in reverse order every other round, so no case always runs
 * right after another one and inherits its garbage or cooled caches), and sums each case
 * up (median rate, latency percentiles, every round's rate).
 * `runFor(index, ms, samples, cap)` measures case `index` for about `ms`, pushes per-call
 * latencies (µs) into `samples` up to `cap`, and answers its calls per second.
 *
 * @example
 * ```ts
 * const [only] = await interleavedRounds(1, { rounds: 5, roundMs: 150 }, async () => 1000);
 * ```
 */
export async function interleavedRounds(
  caseCount: number,
  options: MeasureOptions,
  runFor: (index: number, ms: number, samples: number[] | null, cap?: number) => Promise<number>,
): Promise<Measurement[]> {
  for (let index = 0; index < caseCount; index++) await runFor(index, options.roundMs / 2, null);
  const rates: number[][] = Array.from({ length: caseCount }, () => []);
  const samples: number[][] = Array.from({ length: caseCount }, () => []);
  for (let round = 0; round < options.rounds; round++) {
    // Each round may fill only its share of the sample budget, so every round is represented.
    const cap = Math.floor((MAX_SAMPLES / options.rounds) * (round + 1));
    for (let turn = 0; turn < caseCount; turn++) {
      const index = round % 2 === 0 ? turn : caseCount - 1 - turn;
      rates[index]!.push(await runFor(index, options.roundMs, samples[index]!, cap));
    }
  }
  return rates.map((caseRates, index) => {
    const sorted = samples[index]!.sort((a, b) => a - b);
    return {
      opsPerSec: median(caseRates),
      minOpsPerSec: Math.min(...caseRates),
      maxOpsPerSec: Math.max(...caseRates),
      p50Us: percentile(sorted, 50),
      p99Us: percentile(sorted, 99),
      samples: sorted.length,
      roundRates: caseRates,
    };
  });
}

/**
 * Throughput of `a` over `b` measured in the same rounds: the median of the per-round
 * ratios. The two ran back to back in each round, so load that comes and goes on the
 * machine (another process, a server's background work) scales both sides of one round
 * alike and cancels in its ratio, where a ratio of the two medians can pair a quiet round
 * of one side with a loaded round of the other. Falls back to the ratio of the medians
 * when the rounds do not pair up.
 *
 * @example
 * ```ts
 * const [ours, raw] = await compare([oursCase, rawCase], { rounds: 5, roundMs: 150 });
 * ratioOfRounds(ours, raw); // 0.97
 * ```
 */
export function ratioOfRounds(a: Measurement, b: Measurement): number {
  const n = a.roundRates?.length ?? 0;
  if (n === 0 || n !== b.roundRates?.length) return a.opsPerSec / b.opsPerSec;
  return median(a.roundRates.map((rate, i) => rate / b.roundRates[i]!));
}
