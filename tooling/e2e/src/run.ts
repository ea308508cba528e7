import { spawn } from "node:child_process";

/** What a finished command printed and how it exited. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

// The commands below run in a project outside the workspace, as its owner would run them:
// nothing of the workspace's package manager or of this test runner may leak into them
// (pnpm's npm_config_* would reconfigure npm, VITEST_* would confuse the inner vitest).
const LEAKS = /^(npm_|pnpm_|vitest|turbo_|init_cwd$|node_options$)/i;

/**
 * The environment of this process without package-manager and test-runner variables.
 *
 * @example
 * ```ts
 * spawn("npm", ["install"], { env: cleanEnv() });
 * ```
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !LEAKS.test(key)));
}

/**
 * Runs a command without a shell and resolves with its exit code and output (it never
 * rejects on a non-zero exit: the caller asserts on the code).
 *
 * @example
 * ```ts
 * const { code, stdout } = await run("npm", ["pack"], "/tmp/project", { timeoutMs: 60_000 });
 * ```
 */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = { ...cleanEnv(), ...options.env };
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    // A command that hangs is killed and reported (exit code -1, "timed out" in stderr).
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            stderr += `\n[e2e] timed out after ${options.timeoutMs} ms: killed`;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Runs a command that must succeed; throws with its output otherwise.
 *
 * @example
 * ```ts
 * await ok("npm", ["install"], dir);
 * ```
 */
export async function ok(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const result = await run(command, args, cwd, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) exited with ${result.code}\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}
