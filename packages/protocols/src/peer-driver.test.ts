import { describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import { peerDriver } from "./peer-driver.js";

const info = { backend: "acme", driver: "acme-driver", major: "3" } as const;

function missing(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/index.js`), {
    code: "ERR_MODULE_NOT_FOUND",
  });
}

describe("peerDriver", () => {
  it("imports through the backend's importer once and hands out the picked export", async () => {
    const asked: string[] = [];
    const load = peerDriver({
      ...info,
      importer: async (specifier) => {
        asked.push(specifier);
        return { default: { connect: "yes" } };
      },
      pick: (module) => (module as { default: { connect: string } }).default,
    });
    expect(await load()).toEqual({ connect: "yes" });
    expect(await load()).toBe(await load());
    expect(asked).toEqual(["acme-driver"]);
  });

  it("turns a missing driver into NOT_INSTALLED and tries again on the next call", async () => {
    let installed = false;
    const load = peerDriver({
      ...info,
      importer: async (specifier) => {
        if (!installed) throw missing(specifier);
        return { ok: true };
      },
    });
    const err = await load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe("NOT_INSTALLED");
    expect((err as BackendError).message).toContain("acme-driver@3");
    installed = true;
    expect(await load()).toEqual({ ok: true });
  });

  it("reports a driver whose check fails as not built, and passes other import errors through", async () => {
    const unbuilt = peerDriver({
      ...info,
      importer: async () => ({}),
      check: () => {
        throw new Error("invalid ELF header");
      },
    });
    const err = (await unbuilt().catch((e: unknown) => e)) as BackendError;
    expect(err.code).toBe("NOT_INSTALLED");
    expect(err.message).toMatch(/native addon is not built/);
    const broken = peerDriver({
      ...info,
      importer: async () => {
        throw new SyntaxError("Unexpected token");
      },
    });
    await expect(broken()).rejects.toBeInstanceOf(SyntaxError);
  });
});
