import { type ChildProcess, spawn } from "node:child_process";
import { CHILD_SOURCE } from "./child-source.js";

/**
 * How the child process opens the backend under test: it imports `imports` (for their
 * side effects, e.g. packages that `registerBackend` their URL schemes), then `module`, and
 * awaits `module[export](argument)`.
 *
 * @example
 * ```ts
 * const child: ChildOpener = {
 *   module: new URL("../dist/index.js", import.meta.url).href,
 *   export: "openSqliteBackend",
 *   argument: { path: "/tmp/app.db" },
 * };
 * ```
 */
export interface ChildOpener {
  /** A specifier the child can import from anywhere: an absolute `file:` URL is safest. */
  readonly module: string;
  /** The export of `module` that opens a backend (an opener, or `openBackend` with a URL). */
  readonly export: string;
  /** The JSON-serialisable argument it is called with (options object or URL string). */
  readonly argument?: unknown;
  /** Modules imported first, for their side effects. */
  readonly imports?: readonly string[];
}

/** A report the child sends over IPC. */
export interface ChildReport {
  readonly type: "ready" | "ended" | "closed" | "handled" | "error";
  /** Ref'd resources (`process.getActiveResourcesInfo()`, stdio/IPC pipes left out). */
  readonly baseline?: string[];
  readonly resources?: string[];
  readonly outcome?: string;
  readonly error?: string;
}

/** A running child: its reports, its stderr and when (if) it exited. */
export class KeepAliveChild {
  readonly #process: ChildProcess;
  readonly #reports: ChildReport[] = [];
  readonly #listeners = new Set<() => void>();
  #stderr = "";
  #exit: { code: number | null; signal: string | null; at: number } | undefined;

  constructor(opener: ChildOpener, kind: "stream" | "subscription" | "group", name: string, extra?: object) {
    const config = { ...opener, ...extra, kind, name };
    this.#process = spawn(process.execPath, ["--input-type=module", "-e", CHILD_SOURCE], {
      env: { ...process.env, CORE_KEEP_ALIVE_CHILD: JSON.stringify(config) },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.#process.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.#process.on("message", (report: ChildReport) => {
      this.#reports.push(report);
      this.#changed();
    });
    this.#process.on("exit", (code, signal) => {
      this.#exit = { code, signal, at: Date.now() };
      this.#changed();
    });
  }

  /** How the child exited, if it did. */
  get exit(): { code: number | null; signal: string | null; at: number } | undefined {
    return this.#exit;
  }

  /** What the child wrote to stderr (the last 4000 characters), for failure messages. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Resolves with the first report of `type`; rejects on an `error` report, an exit or `timeoutMs`. */
  async report(type: ChildReport["type"], timeoutMs: number): Promise<ChildReport> {
    const found = await this.#until(() => this.#reports.some((r) => r.type === type || r.type === "error"), timeoutMs);
    const report = this.#reports.find((r) => r.type === type || r.type === "error");
    if (!found || report === undefined) {
      const how = this.#exit ? `it exited (code ${this.#exit.code})` : `nothing came within ${timeoutMs} ms`;
      throw new Error(`keep-alive child: no "${type}" report, ${how}. stderr: ${this.#stderr}`);
    }
    if (report.type === "error") throw new Error(`keep-alive child failed: ${report.error}. stderr: ${this.#stderr}`);
    return report;
  }

  /** True when the child has exited within `timeoutMs` (it may have exited before). */
  exitsWithin(timeoutMs: number): Promise<boolean> {
    return this.#until(() => this.#exit !== undefined, timeoutMs);
  }

  /** Sends a command (`end`, `close`) over IPC. */
  send(command: "end" | "close"): void {
    this.#process.send(command);
  }

  /** Ends the child if it is still running (test cleanup). */
  kill(): void {
    if (this.#exit === undefined) this.#process.kill("SIGKILL");
  }

  #until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(result);
      };
      const listener = () => {
        if (check()) done(true);
      };
      const timer = setTimeout(() => done(check()), timeoutMs);
      this.#listeners.add(listener);
    });
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** True when every resource of `held` is also in `baseline` (as a multiset). */
export function heldWithin(held: readonly string[], baseline: readonly string[]): boolean {
  const left = [...baseline];
  for (const resource of held) {
    const i = left.indexOf(resource);
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}
