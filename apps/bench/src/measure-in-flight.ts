import { type Case, type Measurement, type MeasureOptions, percentile } from "./measure.js";

// Enough for a stable p99 without unbounded memory on million-op/s cases.
const MAX_SAMPLES = 200_000;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Like `compare`, with `inFlight` calls outstanding at all times: that many workers each
 * await one call and start the next, sharing the call counter (so keys spread the same way
 * as in a single-call row). A round's rate is every worker's calls over the round's time;
 * latency samples are per call, queueing included. Cases take turns round by round.
 *
 * @example
 * ```ts
 * const [ours, raw] = await compareInFlight([oursCase, rawCase], 64, { rounds: 5, roundMs: 150 });
 * ```
 */
export async function compareInFlight(
  cases: readonly Case[],
  inFlight: number,
  options: MeasureOptions,
): Promise<Measurement[]> {
  for (const c of cases) await c.setup?.();
  const counters = cases.map(() => 0);
  const runFor = async (index: number, ms: number, samples: number[] | null, cap = 0): Promise<number> => {
    const run = cases[index]!.run;
    const start = performance.now();
    const deadline = start + ms;
    let calls = 0;
    const worker = async () => {
      let now = performance.now();
      do {
        const t0 = now;
        await run(counters[index]!++);
        now = performance.now();
        calls++;
        if (samples && samples.length < cap) samples.push((now - t0) * 1000);
      } while (now < deadline);
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return (calls / (performance.now() - start)) * 1000;
  };
  for (const [index] of cases.entries()) await runFor(index, options.roundMs / 2, null);
  const rates: number[][] = cases.map(() => []);
  const samples: number[][] = cases.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    const cap = Math.floor((MAX_SAMPLES / options.rounds) * (round + 1));
    for (const [index] of cases.entries())
      rates[index]!.push(await runFor(index, options.roundMs, samples[index]!, cap));
  }
  return cases.map((_, index) => {
    const sorted = samples[index]!.sort((a, b) => a - b);
    return {
      opsPerSec: median(rates[index]!),
      minOpsPerSec: Math.min(...rates[index]!),
      maxOpsPerSec: Math.max(...rates[index]!),
      p50Us: percentile(sorted, 50),
      p99Us: percentile(sorted, 99),
      samples: sorted.length,
    };
  });
}
