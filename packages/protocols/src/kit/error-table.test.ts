import { describe, expect, test } from "vitest";
import { BackendError } from "../errors.js";
import { errorTable } from "./error-table.js";

describe("errorTable", () => {
  const toError = errorTable("acme", [
    [/^BUSY\b/, "SERIALIZATION", (m) => `${m}; retry`],
    [(err) => (err as { code?: string }).code === "EAUTH", "CONNECTION", undefined, false],
  ]);

  test("the first matching row gives code, message and retryability; the original is the cause", () => {
    const cause = new Error("BUSY running a script");
    const mapped = toError(cause, "cache.get");
    expect(mapped).toMatchObject({ code: "SERIALIZATION", backend: "acme", retryable: true, cause });
    expect(mapped.message).toBe("[acme] cache.get: BUSY running a script; retry");
    const denied = toError(Object.assign(new Error("denied"), { code: "EAUTH" }), "open");
    expect(denied).toMatchObject({ code: "CONNECTION", retryable: false, message: "[acme] open: denied" });
  });

  test("no row: CONNECTION with the message redacted; a BackendError passes through", () => {
    const mapped = toError("cannot reach redis://user:secret@host:1", "queue.put");
    expect(mapped.code).toBe("CONNECTION");
    expect(mapped.message).not.toContain("secret");
    const own = new BackendError("CONFLICT", "[acme] taken", { backend: "acme" });
    expect(toError(own, "records.store")).toBe(own);
  });
});
