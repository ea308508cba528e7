import { describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import { checkSendOptions, SEND_OPTION_NAMES } from "./send-options.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof BackendError ? err.code : "not a BackendError";
  }
  return undefined;
}

describe("checkSendOptions", () => {
  it("returns undefined when no option is set, a frozen copy of the set ones otherwise", () => {
    expect(checkSendOptions("t", undefined, [])).toBeUndefined();
    expect(checkSendOptions("t", {}, [])).toBeUndefined();
    expect(checkSendOptions("t", { delayMs: undefined }, [])).toBeUndefined();
    const checked = checkSendOptions("t", { delayMs: 0, key: "a" }, SEND_OPTION_NAMES);
    expect(checked).toEqual({ delayMs: 0, key: "a" });
    expect(Object.isFrozen(checked)).toBe(true);
  });

  it("rejects bad shapes and values with INVALID_ARGUMENT, before support is checked", () => {
    for (const bad of [
      "x",
      null,
      [],
      { delay: 1 },
      { delayMs: -1 },
      { delayMs: Infinity },
      { priority: 0.5 },
      { key: "" },
    ]) {
      expect(codeOf(() => checkSendOptions("t", bad, []))).toBe("INVALID_ARGUMENT");
    }
  });

  it("an option outside the supported list is NOT_SUPPORTED, naming it", () => {
    expect(codeOf(() => checkSendOptions("t", { priority: 2 }, ["delayMs"]))).toBe("NOT_SUPPORTED");
    expect(() => checkSendOptions("t", { key: "k" }, [])).toThrow(/"key".*honours: none/);
    expect(checkSendOptions("t", { priority: -3 }, ["priority"])).toEqual({ priority: -3 });
  });
});
