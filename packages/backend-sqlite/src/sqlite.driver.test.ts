import { BackendError } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { loadDriver } from "./driver.js";

describe("loading better-sqlite3", () => {
  it("a missing driver is NOT_INSTALLED with the install command", async () => {
    const err = await loadDriver("better-sqlite3-not-installed-here").catch((e: unknown) => e);
    expect(BackendError.is(err, "NOT_INSTALLED")).toBe(true);
    expect((err as Error).message).toMatch(
      /^\[sqlite\] better-sqlite3 is not installed; it is a peer dependency of this backend: run `pnpm add better-sqlite3@12`$/,
    );
  });

  it("an unbuilt driver (pnpm 10 skipped its build) is NOT_INSTALLED with the rebuild command", async () => {
    const err = await loadDriver(new URL("./unbuilt-driver.fixture.ts", import.meta.url).href).catch((e: unknown) => e);
    expect(BackendError.is(err, "NOT_INSTALLED")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain("better-sqlite3 is installed but its native addon is not built");
    // This workspace has a pnpm-lock.yaml: the hint is pnpm's.
    expect(message).toContain("pnpm approve-builds");
    expect(message).toContain("onlyBuiltDependencies: [better-sqlite3]");
    expect(message).toContain("pnpm rebuild better-sqlite3");
    expect(((err as Error).cause as Error).message).toContain("Could not locate the bindings file");
  });

  it("the installed driver loads, once", async () => {
    const Database = await loadDriver();
    expect(await loadDriver()).toBe(Database);
    const db = new Database(":memory:");
    expect(db.prepare("select 1 as one").get()).toEqual({ one: 1 });
    db.close();
  });
});
