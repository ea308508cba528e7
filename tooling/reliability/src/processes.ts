import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { waitFor } from "@core/conformance";
import { packageEntry, type Target } from "./targets.js";

const WORKER = fileURLToPath(new URL("../dist/worker.js", import.meta.url));

/** A running worker: its JSON lines so far, and how it ended. */
export interface Worker {
  readonly proc: ChildProcess;
  /** Every JSON line printed so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<number | string>;
  /** Stderr so far, for failure messages. */
  stderr(): string;
  /** Waits until a line satisfies `check`. */
  until(check: (line: Record<string, unknown>) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the lines of a clean exit; rejects with stderr otherwise. */
  done(): Promise<Record<string, unknown>[]>;
}

/**
 * Starts `node dist/worker.js` on `target`'s storage with `task`. Workers started with
 * the same `startAt` begin their work at the same moment.
 *
 * @example
 * ```ts
 * const w = spawnWorker(target, "hammer", { me: "a", n: 50, startAt: Date.now() + 500 });
 * const lines = await w.done();
 * ```
 */
export function spawnWorker(
  target: Target,
  task: string,
  options: { me: string; n?: number; startAt?: number; env?: Record<string, string> },
): Worker {
  if (!existsSync(WORKER)) {
    throw new Error(`build the harness first (pnpm --filter @core/reliability build): ${WORKER} is missing`);
  }
  const spec = { entry: packageEntry(target.name), ...target.spec };
  const proc = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      ...options.env,
      REL_SPEC: JSON.stringify(spec),
      REL_TASK: task,
      REL_ME: options.me,
      REL_N: String(options.n ?? 10),
      REL_START_AT: String(options.startAt ?? 0),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  let err = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      nl = buffer.indexOf("\n");
    }
  });
  proc.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  // A stdin closed by a killed child must not crash the test run.
  proc.stdin?.on("error", () => {});
  const exited = new Promise<number | string>((resolve) => {
    proc.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  const describe = () => `worker ${options.me} (${task}) stderr: ${err}\nlines: ${JSON.stringify(lines.slice(-3))}`;
  return {
    proc,
    lines,
    exited,
    stderr: () => err,
    async until(check, what, timeoutMs = 20_000) {
      await waitFor(
        () => {
          if (lines.some((l) => l.error !== undefined)) throw new Error(describe());
          return lines.some(check);
        },
        timeoutMs,
        `${what} from ${describe()}`,
      );
    },
    async done() {
      const code = await exited;
      if (code !== 0) throw new Error(`exited with ${code}: ${describe()}`);
      return lines;
    },
  };
}
