import { describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import {
  assertInteger,
  assertKey,
  assertKeys,
  assertName,
  assertNonNegativeInteger,
  assertPlainObject,
  assertTtl,
  describeValue,
  isPlainObject,
  MAX_KEY_BYTES,
} from "./validation.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (!BackendError.is(err)) return `not a BackendError: ${String(err)}`;
    expect(err.message.startsWith("[test] ")).toBe(true);
    expect(err.retryable).toBe(false);
    return err.code;
  }
  return undefined;
}

describe("assertKey", () => {
  it("accepts every non-empty well-formed string up to 1024 UTF-8 bytes", () => {
    const keys = [
      "k",
      "ünïcödé",
      "😀",
      "a/b",
      "..",
      "../../etc/passwd",
      "*",
      "?",
      "%",
      " spaced key ",
      "line\nbreak",
      "CON",
      "\u0000",
      "a".repeat(MAX_KEY_BYTES),
      "é".repeat(MAX_KEY_BYTES / 2),
      "😀".repeat(MAX_KEY_BYTES / 4),
    ];
    for (const key of keys) expect(codeOf(() => assertKey("test", key))).toBeUndefined();
  });

  it("rejects empty, too long, lone surrogates and non-strings", () => {
    const bad = [
      "",
      "a".repeat(MAX_KEY_BYTES + 1),
      `${"é".repeat(MAX_KEY_BYTES / 2)}a`,
      `${"😀".repeat(MAX_KEY_BYTES / 4)}a`,
      "\uD800",
      "a\uDC00b",
      1,
      null,
      undefined,
      {},
      ["k"],
      Symbol("k"),
      10n,
    ];
    for (const key of bad) expect(codeOf(() => assertKey("test", key))).toBe("INVALID_ARGUMENT");
  });

  it("assertKeys needs an array of valid keys", () => {
    expect(codeOf(() => assertKeys("test", ["a", "b"]))).toBeUndefined();
    expect(codeOf(() => assertKeys("test", []))).toBeUndefined();
    expect(codeOf(() => assertKeys("test", "ab"))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => assertKeys("test", ["a", ""]))).toBe("INVALID_ARGUMENT");
  });
});

describe("assertName", () => {
  it("accepts 1–128 characters without control characters", () => {
    for (const name of ["a", "n".repeat(128), "users/eu", "ünï 😀"]) {
      expect(codeOf(() => assertName("test", name))).toBeUndefined();
    }
  });
  it("rejects the rest, naming what was wrong", () => {
    for (const name of ["", "n".repeat(129), "a\nb", "a\u0000", "a\u007f", "\uD800", 5, null]) {
      expect(codeOf(() => assertName("test", name))).toBe("INVALID_ARGUMENT");
    }
    expect(() => assertName("test", "", "topic")).toThrow(/topic/);
  });
});

describe("assertTtl", () => {
  it("accepts undefined and positive finite numbers", () => {
    for (const ttl of [undefined, 1, 0.5, 60_000]) expect(codeOf(() => assertTtl("test", ttl))).toBeUndefined();
  });
  it("rejects 0, negatives, NaN, Infinity and non-numbers", () => {
    for (const ttl of [0, -1, -0, Number.NaN, Number.POSITIVE_INFINITY, "10", null, 10n]) {
      expect(codeOf(() => assertTtl("test", ttl))).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("integers", () => {
  it("assertNonNegativeInteger", () => {
    for (const ok of [0, 1, Number.MAX_SAFE_INTEGER]) {
      expect(codeOf(() => assertNonNegativeInteger("test", ok, "limit"))).toBeUndefined();
    }
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, "1", null]) {
      expect(codeOf(() => assertNonNegativeInteger("test", bad, "limit"))).toBe("INVALID_ARGUMENT");
    }
  });
  it("assertInteger", () => {
    for (const ok of [0, -5, 7]) expect(codeOf(() => assertInteger("test", ok, "by"))).toBeUndefined();
    for (const bad of [1.5, Number.POSITIVE_INFINITY, Number.NaN, "1", 1n, undefined]) {
      expect(codeOf(() => assertInteger("test", bad, "by"))).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("plain objects", () => {
  it("isPlainObject is true only for literals and null-prototype objects", () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    for (const no of [null, [], new Date(), new Map(), "x", 1, new (class {})()]) expect(isPlainObject(no)).toBe(false);
  });
  it("assertPlainObject", () => {
    expect(codeOf(() => assertPlainObject("test", { a: 1 }, "options"))).toBeUndefined();
    expect(codeOf(() => assertPlainObject("test", [], "options"))).toBe("INVALID_ARGUMENT");
  });
  it("describeValue shortens long strings and never throws", () => {
    expect(describeValue("x".repeat(100)).length).toBeLessThan(50);
    expect(describeValue(Symbol("s"))).toBe("symbol");
    expect(describeValue(5n)).toBe("5n");
    expect(describeValue(Object.create(null))).toBe("object");
  });
});
