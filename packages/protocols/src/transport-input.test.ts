import { describe, expect, it } from "vitest";
import { defaultCodec } from "./codec.js";
import { codeOf } from "./error-code.fixture.js";
import { BackendError } from "./errors.js";
import {
  encodeMessageBody,
  resolveTransportOptions,
  validateMessage,
  validateSend,
  validateSubscribe,
} from "./transport-input.js";

const good = { id: "m1", payload: { n: 1 }, headers: { h: "v" }, publishedAt: 1, idempotencyKey: "k" };

describe("resolveTransportOptions", () => {
  it("applies the defaults; ephemeral has no redelivery", () => {
    expect(resolveTransportOptions("test", {})).toEqual({ redeliveryDelayMs: 100, dedupWindowMs: 86_400_000 });
    expect(resolveTransportOptions("test", { mode: "ephemeral", dedupWindowMs: 0.5 })).toEqual({
      redeliveryDelayMs: undefined,
      dedupWindowMs: 0.5,
    });
  });

  it("rejects bad modes and durations", () => {
    for (const bad of [null, { mode: "fast" }, { dedupWindowMs: -1 }, { redeliveryDelayMs: Number.NaN }]) {
      expect(codeOf(() => resolveTransportOptions("test", bad as never))).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("validateMessage and validateSend", () => {
  it("returns a copy holding only the message's fields", () => {
    const input = { ...good, extra: true };
    const copy = validateMessage("test", input, 0);
    expect(copy).toEqual(good);
    expect(copy.headers).not.toBe(input.headers);
    const { idempotencyKey: _, ...withoutKey } = good;
    expect("idempotencyKey" in validateMessage("test", withoutKey, 0)).toBe(false);
  });

  it("rejects each malformed message", () => {
    for (const bad of [
      null,
      [],
      { ...good, id: "" },
      { ...good, id: 5 },
      { ...good, publishedAt: Number.NaN },
      { ...good, headers: "h" },
      { ...good, headers: { n: 1 } },
      { ...good, idempotencyKey: "" },
    ]) {
      expect(codeOf(() => validateMessage("test", bad, 2))).toBe("INVALID_ARGUMENT");
    }
  });

  it("checks the channel and the array, then prepares each message in order", () => {
    const seen: number[] = [];
    const out = validateSend("test", "orders", [good, good], (m, i) => {
      seen.push(i);
      return m.id;
    });
    expect(out).toEqual(["m1", "m1"]);
    expect(seen).toEqual([0, 1]);
    expect(validateSend("test", "orders", [good])).toEqual([good]);
    expect(codeOf(() => validateSend("test", "", [good]))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateSend("test", "orders", "nope"))).toBe("INVALID_ARGUMENT");
    // A bad second message is reported even after the first was prepared.
    expect(codeOf(() => validateSend("test", "orders", [good, { ...good, id: "" }], () => 1))).toBe("INVALID_ARGUMENT");
  });
});

describe("encodeMessageBody", () => {
  it("encodes with the default codec and names the message it cannot encode", () => {
    expect(encodeMessageBody("test", good, 0)).toBe(defaultCodec.encode(good));
    try {
      encodeMessageBody("test", () => 1, 4);
      expect.unreachable();
    } catch (err) {
      expect(BackendError.is(err, "INVALID_ARGUMENT")).toBe(true);
      expect((err as Error).message).toMatch(/^\[test\] messages\[4\]\.payload cannot be encoded: /);
    }
  });
});

describe("validateSubscribe", () => {
  it("returns the group and fromStart with their defaults", () => {
    const handler = () => {};
    expect(validateSubscribe("test", "orders", handler, undefined)).toEqual({ group: undefined, fromStart: false });
    expect(validateSubscribe("test", "orders", handler, { group: "g", fromStart: true })).toEqual({
      group: "g",
      fromStart: true,
    });
  });

  it("rejects bad channels, handlers, groups and fromStart", () => {
    const handler = () => {};
    expect(codeOf(() => validateSubscribe("test", "", handler, undefined))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateSubscribe("test", "c", "nope" as never, undefined))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateSubscribe("test", "c", handler, null as never))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateSubscribe("test", "c", handler, { group: "" }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateSubscribe("test", "c", handler, { fromStart: 1 as never }))).toBe("INVALID_ARGUMENT");
  });
});
