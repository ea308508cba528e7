import { describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";

describe("BackendError", () => {
  it("prefixes the message with [backend] unless it already has exactly that prefix", () => {
    expect(new BackendError("INVALID_ARGUMENT", "bad key", { backend: "sqlite" }).message).toBe("[sqlite] bad key");
    expect(new BackendError("INVALID_ARGUMENT", "[sqlite] bad key", { backend: "sqlite" }).message).toBe(
      "[sqlite] bad key",
    );
    expect(new BackendError("INVALID_ARGUMENT", "[1, 2] is not a key", { backend: "sqlite" }).message).toBe(
      "[sqlite] [1, 2] is not a key",
    );
    expect(new BackendError("INVALID_ARGUMENT", "[redis] failed", { backend: "sqlite" }).message).toBe(
      "[sqlite] [redis] failed",
    );
    expect(new BackendError("CLOSED", "closed").message).toBe("[core] closed");
  });
});
