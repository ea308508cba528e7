import { describe, expect, it } from "vitest";
import { defaultCodec } from "./codec.js";
import { BackendError } from "./errors.js";
import { limitValueSize } from "./value-limit.js";

describe("limitValueSize", () => {
  const codec = limitValueSize(defaultCodec, 100);

  it("passes values up to the limit and round-trips them", () => {
    const value = { at: new Date(0), n: 1n };
    expect(codec.decode(codec.encode(value))).toEqual(value);
    expect(codec.encode("x".repeat(98))).toHaveLength(100);
  });

  it("rejects a value one byte over, counting UTF-8 bytes", () => {
    expect(() => codec.encode("x".repeat(99))).toThrow(/maximum of 100 bytes/);
    // 34 three-byte characters + quotes = 104 bytes but only 36 UTF-16 units.
    const error = (() => {
      try {
        codec.encode("€".repeat(34));
      } catch (err) {
        return err;
      }
    })();
    expect(BackendError.is(error, "INVALID_ARGUMENT")).toBe(true);
  });

  it("rejects a bad limit", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => limitValueSize(defaultCodec, bad)).toThrow(BackendError);
    }
  });
});
