import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

// Children run the built package (Node 20 cannot import .ts): `pnpm --filter @core/backend-file build`.
const DIST = resolve(import.meta.dirname, "../dist/index.js");

/** A child `node` process running `script` with `openFileBackend` imported; stdout lines collected. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/**
 * Starts a child process on the built package.
 *
 * @example
 * ```ts
 * const { proc, lines } = child(`const b = await openFileBackend({ directory: "/tmp/x" }); console.log("ok");`);
 * ```
 */
export function child(script: string): Child {
  const proc = spawn(
    process.execPath,
    ["--input-type=module", "-e", `import { openFileBackend } from ${JSON.stringify(DIST)};\n${script}`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines: string[] = [];
  let partial = "";
  proc.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts.filter(Boolean));
  });
  const exited = new Promise<number | null>((done) => proc.on("exit", (code) => done(code)));
  return { proc, lines, exited };
}

/**
 * Polls `check` every 5 ms until it holds; fails after `ms`.
 *
 * @example
 * ```ts
 * await until(() => lines.includes("ready"), "the child to start");
 * ```
 */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Resolves after `ms`.
 *
 * @example
 * ```ts
 * await sleep(20);
 * ```
 */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
