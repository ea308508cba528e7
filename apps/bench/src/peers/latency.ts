import { percentile } from "../measure.js";
import { withTimeout } from "../timeout.js";
import { VALUE } from "../workload.js";

/** A consumer started by {@link endToEnd}: it calls `onValue` with each value received. */
export type StartConsumer = (onValue: (value: unknown) => void) => Promise<(() => Promise<void>) | undefined>;

const RECEIVE_TIMEOUT_MS = 5_000;
// Long enough for a worker to be back in its blocking read (or its poll sleep) when the job arrives.
const IDLE_MS = 5;

const now = () => performance.timeOrigin + performance.now();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Enqueue → consumer latency in ms, one job at a time: the consumer is idle, the job (the
 * usual value plus its send time `t`) is sent, and the sample ends when the consumer is
 * handed that job. Takes `samples` samples, or fewer when `budgetMs` runs out (at least
 * one), so a polling consumer cannot stretch the run.
 *
 * @example
 * ```ts
 * const ms = await endToEnd(async (on) => { await peer.startWorker(on); return undefined; }, (v) => peer.sendToWorker(v), 50, 10_000);
 * ```
 */
export async function endToEnd(
  start: StartConsumer,
  send: (value: unknown) => Promise<unknown>,
  samples: number,
  budgetMs: number,
): Promise<number[]> {
  let expected = Number.NaN;
  let resolve: ((ms: number) => void) | null = null;
  const stop = await start((value) => {
    const t = (value as { t?: unknown } | null)?.t;
    if (t === expected && resolve) {
      const done = resolve;
      resolve = null;
      done(now() - t);
    }
  });
  const out: number[] = [];
  const deadline = performance.now() + budgetMs;
  try {
    while (out.length < samples && (out.length === 0 || performance.now() < deadline)) {
      await pause(IDLE_MS);
      const received = new Promise<number>((r) => {
        resolve = r;
      });
      expected = now();
      await send({ ...VALUE, t: expected });
      out.push(await withTimeout(received, RECEIVE_TIMEOUT_MS, "an end-to-end delivery"));
    }
  } finally {
    resolve = null;
    await stop?.();
  }
  return out;
}

/**
 * p50 / p99 / max of latency samples in ms.
 *
 * @example
 * ```ts
 * latencyStats([1, 2, 3]); // { samples: 3, p50Ms: 2, p99Ms: 3, maxMs: 3 }
 * ```
 */
export function latencyStats(ms: readonly number[]): { samples: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
  };
}
