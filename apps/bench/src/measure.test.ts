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

  it("the ratio is the median over pairs of rounds, each pair's geometric mean", () => {
    // Round 3 ran on a loaded machine (both sides at half speed); ours is 0.9× raw throughout.
    const ours = measured([90, 90, 45, 90, 91, 89]);
    const raw = measured([100, 100, 50, 100, 101, 99]);
    expect(ratioOfRounds(ours, raw)).toBeCloseTo(0.9, 2);
  });

  it("what the first side of a round leaves to the second cancels within a pair", () => {
    // Whichever side runs second pays 30%: rounds alternate the order.
    const ours = measured([90, 63, 90, 63]);
    const raw = measured([70, 100, 70, 100]);
    expect(ratioOfRounds(ours, raw)).toBeCloseTo(0.9, 2);
  });

  it("leaves an unpaired last round out, and falls back to the medians when rounds do not pair up", () => {
    expect(ratioOfRounds(measured([90, 90, 10]), measured([100, 100, 100]))).toBeCloseTo(0.9, 5);
    expect(ratioOfRounds(measured([90, 90]), measured([100, 100, 100]))).toBeCloseTo(0.9, 5);
    expect(ratioOfRounds(measured([90]), measured([100]))).toBeCloseTo(0.9, 5);
  });
});
