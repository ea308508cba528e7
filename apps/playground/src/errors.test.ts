import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BackendError, loadProvider } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { BackendPool } from "./backends.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

async function cliFailure(args: string[]): Promise<{ code: number; stderr: string }> {
  const result = await run(process.execPath, [cli, ...args], { timeout: 30_000 }).then(
    () => ({ code: 0, stderr: "" }),
    (err: { code: number; stderr: string }) => err,
  );
  expect(result.code, `playground ${args.join(" ")} should fail`).toBe(1);
  return result;
}

describe("playground errors say what is wrong and what to do", () => {
  it("a URL that is not a URL", async () => {
    const { stderr } = await cliFailure(["demo", "--records", "just-a-path.db"]);
    expect(stderr).toContain("--records just-a-path.db");
    expect(stderr).toContain("expected scheme:");
    expect(stderr).toContain("(INVALID_ARGUMENT)");
  });

  it("an unreachable redis names the start command", async () => {
    const { stderr } = await cliFailure(["demo", "--cache", "redis://127.0.0.1:1"]);
    expect(stderr).toContain("--cache redis://127.0.0.1:1");
    expect(stderr).toContain("bash tooling/scripts/start-services.sh");
    expect(stderr).toContain("(CONNECTION)");
  });

  it("an unreachable postgres names the start command, and the password is redacted", async () => {
    const pool = new BackendPool();
    const err = await pool.open("--sql", "postgres://root:secret@127.0.0.1:1/test").catch((e: unknown) => e);
    await pool.closeAll();
    expect(BackendError.is(err, "CONNECTION")).toBe(true);
    expect((err as Error).message).toContain("bash tooling/scripts/start-services.sh");
    expect((err as Error).message).toContain("--sql postgres://root:");
    expect((err as Error).message).not.toContain("secret");
  });

  it("a backend package that is not installed is NOT_INSTALLED and named", async () => {
    const err = await loadProvider("@core/backend-nonexistent").catch((e: unknown) => e);
    expect(BackendError.is(err, "NOT_INSTALLED")).toBe(true);
    expect((err as Error).message).toContain("@core/backend-nonexistent");
    const { stderr } = await cliFailure(["demo", "--backend-package", "@core/backend-nonexistent"]);
    expect(stderr).toContain("package @core/backend-nonexistent is not installed");
    expect(stderr).toContain("(NOT_INSTALLED)");
  });

  it("an unknown command prints the usage", async () => {
    const result = await run(process.execPath, [cli, "frobnicate"]).catch((e: { code: number; stderr: string }) => e);
    expect((result as { code: number }).code).toBe(2);
    expect((result as { stderr: string }).stderr).toContain("usage: playground [demo|matrix|serve]");
  });
});
