import { describe, expect, it } from "vitest";
import { BackendError } from "../errors.js";
import { backoffDelay, resolveBackoff } from "./backoff.js";

describe("backoffDelay", () => {
  it("grows exponentially from initialMs and is capped by maxMs", () => {
    const options = { initialMs: 100, maxMs: 1000, multiplier: 2 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, options))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("uses the defaults 100 ms × 2, capped at 10 s", () => {
    expect(backoffDelay(1)).toBe(100);
    expect(backoffDelay(2)).toBe(200);
    expect(backoffDelay(50)).toBe(10_000);
    expect(backoffDelay(1_000_000)).toBe(10_000);
  });

  it("honours the multiplier", () => {
    expect(backoffDelay(3, { initialMs: 10, multiplier: 3 })).toBe(90);
    expect(backoffDelay(3, { initialMs: 10, multiplier: 1 })).toBe(10);
  });

  it("full jitter picks a value in [0, computed] from the random source", () => {
    const options = { initialMs: 100, maxMs: 1000, jitter: true };
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
    expect(backoffDelay(3, options, () => 0.999999)).toBe(399);
    expect(backoffDelay(10, options, () => 0.5)).toBe(500);
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelay(4, options);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(800);
    }
  });

  it("does not use the random source without jitter", () => {
    expect(
      backoffDelay(2, { initialMs: 50 }, () => {
        throw new Error("called");
      }),
    ).toBe(100);
  });

  it("rejects bad attempts and options with INVALID_ARGUMENT", () => {
    for (const attempt of [0, -1, 1.5, Number.NaN]) {
      expect(() => backoffDelay(attempt)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    }
    const bad = [{ initialMs: -1 }, { maxMs: Number.POSITIVE_INFINITY }, { multiplier: 0.5 }, { jitter: "yes" }];
    for (const options of bad) {
      let caught: unknown;
      try {
        resolveBackoff(options as never);
      } catch (err) {
        caught = err;
      }
      expect(BackendError.is(caught, "INVALID_ARGUMENT")).toBe(true);
    }
  });
});
