import { describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import { compileGlob } from "./glob.js";

describe("compileGlob", () => {
  it("* matches any run of characters, including none, slashes and newlines", () => {
    const match = compileGlob("user:*");
    expect(match("user:")).toBe(true);
    expect(match("user:42")).toBe(true);
    expect(match("user:a/b\nc")).toBe(true);
    expect(match("item:1")).toBe(false);
    expect(match("xuser:1")).toBe(false);
    expect(compileGlob("*")("any\nthing/at all")).toBe(true);
    expect(compileGlob("*")("")).toBe(true);
  });

  it("* in the middle and at the start", () => {
    expect(compileGlob("a*z")("a/\n/z")).toBe(true);
    expect(compileGlob("a*z")("az")).toBe(true);
    expect(compileGlob("a*z")("aza")).toBe(false);
    expect(compileGlob("*.json")("x.json")).toBe(true);
    expect(compileGlob("*.json")("xjson")).toBe(false);
    expect(compileGlob("**")("abc")).toBe(true);
  });

  it("? matches exactly one character, a code point (emoji included)", () => {
    const match = compileGlob("user:?");
    expect(match("user:1")).toBe(true);
    expect(match("user:10")).toBe(false);
    expect(match("user:")).toBe(false);
    expect(match("user:\n")).toBe(true);
    expect(match("user:😀")).toBe(true);
    expect(match("user:é")).toBe(true);
  });

  it("treats regex metacharacters literally", () => {
    for (const literal of [".", "+", "(", ")", "[", "]", "{", "}", "|", "^", "$", "\\", "/", "-"]) {
      const pattern = `a${literal}b*`;
      expect(compileGlob(pattern)(`a${literal}b-rest`)).toBe(true);
      expect(compileGlob(pattern)("aXb-rest")).toBe(false);
    }
    expect(compileGlob("a.b?")("a.bc")).toBe(true);
    expect(compileGlob("a.b?")("axbc")).toBe(false);
    expect(compileGlob("[ab]*")("[ab]x")).toBe(true);
    expect(compileGlob("[ab]*")("ax")).toBe(false);
    expect(compileGlob("%?%")("%x%")).toBe(true);
  });

  it("a pattern without wildcards is an exact match", () => {
    expect(compileGlob("a.b")("a.b")).toBe(true);
    expect(compileGlob("a.b")("a.bc")).toBe(false);
    expect(compileGlob("a.b")("axb")).toBe(false);
    expect(compileGlob("")("")).toBe(true);
    expect(compileGlob("")("a")).toBe(false);
  });

  it("rejects a pattern that is not a string", () => {
    for (const bad of [1, null, undefined, {}, /x/]) {
      let error: unknown;
      try {
        compileGlob(bad as never);
      } catch (err) {
        error = err;
      }
      expect(BackendError.is(error, "INVALID_ARGUMENT")).toBe(true);
    }
  });

  it("matches pathological star patterns in linear-ish time (no regex backtracking)", () => {
    const match = compileGlob(`${"*a".repeat(8)}*b`);
    expect(match("a".repeat(60))).toBe(false);
    expect(match(`${"a".repeat(60)}b`)).toBe(true);
    expect(compileGlob(`${"*a".repeat(20)}*b`)("a".repeat(5000))).toBe(false);
    expect(compileGlob("a*b?c*")("a-b🙂c-x")).toBe(true);
    expect(compileGlob("*?")("")).toBe(false);
    expect(compileGlob("*x*")("abc")).toBe(false);
  });
});
