import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// src/ and dist/ both sit one level below the package, whose node_modules the child needs.
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** A child process running an ES module given as text, with its stdin/stdout. */
export interface Child {
  /** Sends one line to the child's stdin. */
  send(line: string): void;
  /** The next line the child prints. */
  nextLine(): Promise<string>;
  /** Resolves with all remaining stdout once the child exits with code 0; rejects otherwise. */
  exited: Promise<string>;
  kill(): void;
}

/**
 * Starts `node --expose-gc` on module source `code` (run from this package's directory so
 * it resolves the same workspace packages), passing `input` as `BENCH_CHILD` JSON.
 *
 * @example
 * ```ts
 * const child = startChild("console.log(JSON.parse(process.env.BENCH_CHILD).n)", { n: 1 });
 * await child.exited; // "1\n"
 * ```
 */
export function startChild(code: string, input: unknown): Child {
  const proc = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", code], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, BENCH_CHILD: JSON.stringify(input) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let buffer = "";
  let stderr = "";
  const waiters: ((line: string) => void)[] = [];
  const lines: string[] = [];
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let at = buffer.indexOf("\n"); at >= 0; at = buffer.indexOf("\n")) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<string>((resolve, reject) => {
    proc.on("error", reject);
    proc.on("exit", (code) => {
      if (code === 0) resolve([...lines, buffer].join("\n"));
      else reject(new Error(`child exited with ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
  return {
    send: (line) => proc.stdin.write(`${line}\n`),
    nextLine: () => {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      return Promise.race([
        new Promise<string>((resolve) => waiters.push(resolve)),
        exited.then(() => Promise.reject(new Error("child exited early"))),
      ]);
    },
    exited,
    kill: () => void proc.kill("SIGKILL"),
  };
}
