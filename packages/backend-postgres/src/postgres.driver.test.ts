import { BackendError } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { loadPg } from "./driver.js";

describe("loading pg", () => {
  it("a missing pg is NOT_INSTALLED with the install command", async () => {
    const err = await loadPg("pg-not-installed-here").catch((e: unknown) => e);
    expect(BackendError.is(err, "NOT_INSTALLED")).toBe(true);
    // This workspace has a pnpm-lock.yaml: the command is pnpm's.
    expect((err as Error).message).toBe(
      "[postgres] pg is not installed; it is a peer dependency of this backend: run `pnpm add pg@8`",
    );
    expect(((err as Error).cause as { code?: string }).code).toBe("ERR_MODULE_NOT_FOUND");
  });

  it("the installed pg loads, once", async () => {
    const pg = await loadPg();
    expect(typeof pg.Pool).toBe("function");
    expect(await loadPg()).toBe(pg);
  });
});
