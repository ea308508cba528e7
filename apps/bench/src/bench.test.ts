import { describe, expect, it } from "vitest";
import { runBench } from "./cli.js";

describe("bench quick mode", () => {
  it("produces a positive, finite number for every scenario (no timing asserted)", async () => {
    const results = await runBench({ quick: true });
    expect(results.length).toBeGreaterThanOrEqual(5);
    for (const r of results) {
      for (const m of [r.ours, r.raw]) {
        expect(Number.isFinite(m.opsPerSec) && m.opsPerSec > 0, `${r.backend} ${r.operation}`).toBe(true);
        expect(m.p99Us).toBeGreaterThanOrEqual(m.p50Us);
      }
    }
  }, 60_000);
});
