import { type Case, interleavedRounds, type Measurement, type MeasureOptions } from "./measure.js";

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
  return interleavedRounds(cases.length, options, runFor);
}
