import { BackendError } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { loadIoredis } from "./driver.js";

describe("loading ioredis", () => {
  it("a missing ioredis is NOT_INSTALLED with the install command", async () => {
    const err = await loadIoredis("ioredis-not-installed-here").catch((e: unknown) => e);
    expect(BackendError.is(err, "NOT_INSTALLED")).toBe(true);
    // This workspace has a pnpm-lock.yaml: the command is pnpm's.
    expect((err as Error).message).toBe(
      "[redis] ioredis is not installed; it is a peer dependency of this backend: run `pnpm add ioredis@5`",
    );
  });

  it("the installed ioredis loads, once", async () => {
    const ioredis = await loadIoredis();
    expect(typeof ioredis.Redis).toBe("function");
    expect(await loadIoredis()).toBe(ioredis);
  });
});
