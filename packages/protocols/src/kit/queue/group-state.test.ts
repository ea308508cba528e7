import { describe, expect, it } from "vitest";
import { BackendError } from "../../errors.js";
import {
  commitClaim,
  expiredClaim,
  findClaim,
  formatGroupState,
  type GroupState,
  lowWatermark,
  nextExpiry,
  parseGroupState,
  releaseClaim,
} from "./group-state.js";

function state(): GroupState {
  return {
    next: 20,
    claims: [
      { from: 10, to: 20, until: 5000, member: "b" },
      { from: 4, to: 10, until: 1000, member: "a" },
    ],
  };
}

describe("group claim record", () => {
  it("round-trips through its text, claims in offset order", () => {
    const text = formatGroupState(state());
    expect(parseGroupState("t", text)).toEqual({
      next: 20,
      claims: [
        { from: 4, to: 10, until: 1000, member: "a" },
        { from: 10, to: 20, until: 5000, member: "b" },
      ],
    });
    expect(formatGroupState(parseGroupState("t", text))).toBe(text);
  });

  it("a record that is not one is CORRUPTION", () => {
    for (const text of ["{", "null", '{"next":"1","claims":[]}', '{"next":1}']) {
      expect(() => parseGroupState("t", text)).toThrow(BackendError);
      try {
        parseGroupState("t", text);
      } catch (err) {
        expect((err as BackendError).code).toBe("CORRUPTION");
      }
    }
  });

  it("the committed offset is the lowest claim, or next without claims", () => {
    const s = state();
    expect(lowWatermark(s)).toBe(4);
    expect(lowWatermark({ next: 7, claims: [] })).toBe(7);
    expect(nextExpiry(s)).toBe(1000);
    expect(nextExpiry({ next: 7, claims: [] })).toBeUndefined();
  });

  it("an ended lease is found, the lowest first; a live one is not", () => {
    const s = state();
    expect(expiredClaim(s, 999)).toBeUndefined();
    expect(expiredClaim(s, 1000)?.member).toBe("a");
    expect(expiredClaim(s, 6000)?.from).toBe(4);
  });

  it("a commit shrinks a claim, and removes it once all of it is committed", () => {
    const s = state();
    const a = findClaim(s, "a", 10);
    expect(a).toBeDefined();
    expect(findClaim(s, "b", 10)).toBeUndefined();
    if (a === undefined) return;
    commitClaim(s, a, 7);
    expect(a.from).toBe(7);
    expect(lowWatermark(s)).toBe(7);
    commitClaim(s, a, 5); // below what is committed: nothing moves
    expect(a.from).toBe(7);
    commitClaim(s, a, 10);
    expect(findClaim(s, "a", 10)).toBeUndefined();
    expect(lowWatermark(s)).toBe(10);
  });

  it("a release commits what came before and hands the rest on at once", () => {
    const s = state();
    const b = findClaim(s, "b", 20);
    if (b === undefined) throw new Error("claim b missing");
    releaseClaim(s, b, 13);
    expect(b).toEqual({ from: 13, to: 20, until: 0, member: "" });
    expect(expiredClaim(s, 1)).toBe(b);
    releaseClaim(s, b, 20);
    expect(s.claims.map((c) => c.member)).toEqual(["a"]);
  });
});
