import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import {
  buildHint,
  detectPackageManager,
  driverNotInstalled,
  installCommand,
  isMissingPackage,
} from "./install-hint.js";

const dir = mkdtempSync(join(tmpdir(), "core-install-hint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("detectPackageManager", () => {
  it("reads the nearest lockfile at or above cwd, else the user agent, else npm", () => {
    const project = join(dir, "project");
    const nested = join(project, "src/deep");
    mkdirSync(nested, { recursive: true });
    expect(detectPackageManager({ env: {}, cwd: nested })).toBe("npm");
    for (const manager of ["pnpm", "npm", "yarn", "bun"] as const) {
      const env = { npm_config_user_agent: `${manager}/1.2.3 npm/? node/v20.19.0 linux x64` };
      expect(detectPackageManager({ env, cwd: nested })).toBe(manager);
    }
    writeFileSync(join(project, "yarn.lock"), "");
    // `npx` in a yarn project says npm: the lockfile wins.
    const npx = { npm_config_user_agent: "npm/11.6.0 node/v20.19.0 linux x64 workspaces/false" };
    expect(detectPackageManager({ env: npx, cwd: nested })).toBe("yarn");
    writeFileSync(join(project, "src/pnpm-lock.yaml"), "");
    expect(detectPackageManager({ env: {}, cwd: nested })).toBe("pnpm");
  });
});

describe("install hints", () => {
  it("names the add command of each package manager", () => {
    expect(installCommand("npm", "pg@8")).toBe("npm install pg@8");
    expect(installCommand("pnpm", "pg@8")).toBe("pnpm add pg@8");
    expect(installCommand("yarn", "pg@8")).toBe("yarn add pg@8");
    expect(installCommand("bun", "pg@8")).toBe("bun add pg@8");
  });

  it("tells pnpm users to approve the build and rebuild", () => {
    const hint = buildHint("pnpm", "better-sqlite3", "better-sqlite3@12");
    expect(hint).toContain("pnpm approve-builds");
    expect(hint).toContain("onlyBuiltDependencies: [better-sqlite3]");
    expect(hint).toContain("pnpm rebuild better-sqlite3");
    expect(buildHint("npm", "better-sqlite3", "better-sqlite3@12")).toContain("npm rebuild better-sqlite3");
    expect(buildHint("yarn", "better-sqlite3", "better-sqlite3@12")).toContain("yarn rebuild better-sqlite3");
    expect(buildHint("bun", "better-sqlite3", "better-sqlite3@12")).toContain("bun pm trust better-sqlite3");
  });

  it("driverNotInstalled is a NOT_INSTALLED BackendError keeping the cause", () => {
    const cause = new Error("Could not locate the bindings file");
    const unbuilt = driverNotInstalled({
      backend: "sqlite",
      driver: "better-sqlite3",
      major: "12",
      problem: "unbuilt",
      cause,
      manager: "pnpm",
    });
    expect(BackendError.is(unbuilt, "NOT_INSTALLED")).toBe(true);
    expect(unbuilt.retryable).toBe(false);
    expect(unbuilt.cause).toBe(cause);
    expect(unbuilt.message).toMatch(/^\[sqlite\] better-sqlite3 is installed but its native addon is not built/);
    expect(unbuilt.message).toContain("pnpm approve-builds");
    const missing = driverNotInstalled({
      backend: "postgres",
      driver: "pg",
      major: "8",
      problem: "missing",
      manager: "npm",
    });
    expect(missing.message).toBe(
      "[postgres] pg is not installed; it is a peer dependency of this backend: run `npm install pg@8`",
    );
  });
});

describe("isMissingPackage", () => {
  it("is true only for the package itself", async () => {
    const err = await import("no-such-driver-for-core-tests" as string).catch((e: unknown) => e);
    expect(isMissingPackage(err, "no-such-driver-for-core-tests")).toBe(true);
    expect(isMissingPackage(err, "pg")).toBe(false);
    const nested = Object.assign(
      new Error("Cannot find package 'pg-types' imported from /x/node_modules/pg/lib/a.js"),
      {
        code: "ERR_MODULE_NOT_FOUND",
      },
    );
    expect(isMissingPackage(nested, "pg")).toBe(false);
    expect(isMissingPackage(new Error("boom"), "pg")).toBe(false);
  });
});
