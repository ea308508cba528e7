import { describe, expect, it } from "vitest";
import { interleavedRounds, type Measurement, ratioOfRounds } from "./measure.js";

const measured = (roundRates: number[]): Measurement => ({
  opsPerSec: [...roundRates].sort((a, b) => a - b)[roundRates.length >> 1]!,
  minOpsPerSec: Math.min(...roundRates),
  maxOpsPerSec: Math.max(...roundRates),
  p50Us: 1,
  p99Us: 1,
  samples: 1,
  roundRates,
});

describe("interleaved rounds", () => {
  it("runs the cases in reverse order every other round and keeps each round's rate", async () => {
    const order: number[] = [];
    let rate = 0;
    const [a, b] = await interleavedRounds(2, { rounds: 3, roundMs: 1 }, async (index, _ms, samples) => {
      if (samples) order.push(index);
      return ++rate;
    });
    expect(order).toEqual([0, 1, 1, 0, 0, 1]);
    expect(a!.roundRates).toEqual([3, 6, 7]);
    expect(b!.roundRates).toEqual([4, 5, 8]);
  });

  it("the ratio is the median of the per-round ratios", () => {
    // Round 2 ran on a loaded machine (both sides at half speed); ours is 0.9× raw throughout.
    const ours = measured([90, 45, 90, 88, 92]);
    const raw = measured([100, 50, 100, 98, 102]);
    expect(ratioOfRounds(ours, raw)).toBeCloseTo(0.9, 2);
  });

  it("falls back to the ratio of the medians when the rounds do not pair up", () => {
    expect(ratioOfRounds(measured([90, 90]), measured([100, 100, 100]))).toBeCloseTo(0.9, 5);
  });
});
