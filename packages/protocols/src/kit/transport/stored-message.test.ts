import { describe, expect, it } from "vitest";
import { decodeStoredMessage } from "./stored-message.js";

describe("decodeStoredMessage", () => {
  it("decodes a whole stored message into a fresh copy", () => {
    const text = JSON.stringify({
      id: "1",
      payload: { n: 1 },
      headers: { h: "v" },
      publishedAt: 5,
      idempotencyKey: "k",
    });
    const a = decodeStoredMessage("x", { seq: 0, text });
    const b = decodeStoredMessage("x", { seq: 0, text });
    expect(a).toEqual({ id: "1", payload: { n: 1 }, headers: { h: "v" }, publishedAt: 5, idempotencyKey: "k" });
    expect(a.headers).not.toBe(b.headers);
  });

  it("puts a decoded payload together with the stored fields", () => {
    const headers = Object.freeze({ h: "v" });
    const message = decodeStoredMessage("x", { seq: 3, text: "[1,2]", fields: { id: "m", headers, publishedAt: 7 } });
    expect(message).toEqual({ id: "m", payload: [1, 2], headers: { h: "v" }, publishedAt: 7 });
    expect(Object.isFrozen(message.headers)).toBe(false);
  });

  it("unreadable text and text that is no message are CORRUPTION", () => {
    for (const text of ["{not json", "42"]) {
      expect(() => decodeStoredMessage("x", { seq: 9, text })).toThrow(expect.objectContaining({ code: "CORRUPTION" }));
    }
  });
});
