import { describe, expect, it } from "vitest";
import { DedupWindow } from "./dedup-window.js";

describe("DedupWindow", () => {
  it("drops a key claimed again within its window and accepts it after", () => {
    const keys = new DedupWindow();
    expect(keys.claim("k", 100, 1000)).toBe(true);
    expect(keys.claim("k", 100, 1099)).toBe(false);
    expect(keys.claim("k", 100, 1100)).toBe(true);
  });

  it("a window of 0 remembers nothing", () => {
    const keys = new DedupWindow();
    expect(keys.claim("k", 0, 1000)).toBe(true);
    expect(keys.claim("k", 0, 1000)).toBe(true);
  });

  it("forgets the oldest key past maxKeys", () => {
    const keys = new DedupWindow(2);
    for (const key of ["a", "b", "c"]) expect(keys.claim(key, 1000, 0)).toBe(true);
    expect(keys.claim("a", 1000, 1)).toBe(true);
    expect(keys.claim("c", 1000, 1)).toBe(false);
  });
});
