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
 * Throughput of `a` over `b` measured in the same rounds: the median, over pairs of
 * consecutive rounds, of the geometric mean of the two rounds' ratios. The two sides of a
 * round ran back to back, so load that comes and goes on the machine scales both and
 * cancels in the round's ratio, where a ratio of the two medians can pair a quiet round of
 * one side with a loaded one of the other. A pair holds both orders (`interleavedRounds`
 * reverses every other round), so what a side leaves behind for the next one cancels too:
 * writes measured second pay for the dirty pages the first side left the kernel to write
 * back (sqlite queue put, measured: ~0.88× in the rounds where ours ran first, ~0.64×
 * where it ran second). An unpaired last round is left out; with fewer than two rounds
 * this is the ratio of the medians.
 *
 * @example
 * ```ts
 * const [ours, raw] = await compare([oursCase, rawCase], { rounds: 6, roundMs: 150 });
 * ratioOfRounds(ours, raw); // 0.97
 * ```
 */
export function ratioOfRounds(a: Measurement, b: Measurement): number {
  const n = a.roundRates?.length ?? 0;
  if (n < 2 || n !== b.roundRates?.length) return a.opsPerSec / b.opsPerSec;
  const pairs: number[] = [];
  for (let i = 0; i + 1 < n; i += 2) {
    pairs.push(Math.sqrt((a.roundRates[i]! / b.roundRates[i]!) * (a.roundRates[i + 1]! / b.roundRates[i + 1]!)));
  }
  pairs.sort((x, y) => x - y);
  const mid = pairs.length >> 1;
  return pairs.length % 2 === 1 ? pairs[mid]! : (pairs[mid - 1]! + pairs[mid]!) / 2;
}
