import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv, ok, type RunResult, run } from "./run.js";

/** The repository root. */
export const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");

/** Every published package, by directory under packages/. */
export const PUBLISHED = [
  "protocols",
  "conformance",
  "backend-memory",
  "backend-file",
  "backend-sqlite",
  "backend-postgres",
  "backend-redis",
] as const;

/**
 * Packs the package in `packageDir` (its `dist` built beforehand) into `destination` and
 * returns the tarball's path.
 *
 * @example
 * ```ts
 * const tarball = await pack(join(ROOT, "packages/protocols"), "/tmp/tarballs");
 * ```
 */
export async function pack(packageDir: string, destination: string): Promise<string> {
  const { stdout } = await ok("pnpm", ["pack", "--json", "--pack-destination", destination], packageDir, {
    timeoutMs: 120_000,
  });
  const { filename } = JSON.parse(stdout.slice(stdout.indexOf("{"))) as { filename: string };
  return resolve(destination, filename);
}

/**
 * Extracts a tarball into `destination` (npm tarballs hold one `package/` folder) and
 * returns every file path inside it, relative to `package/`.
 *
 * @example
 * ```ts
 * const files = await extract("/tmp/tarballs/core-protocols-1.0.0.tgz", "/tmp/x/protocols");
 * ```
 */
export async function extract(tarball: string, destination: string): Promise<string[]> {
  await mkdir(destination, { recursive: true });
  await ok("tar", ["-xzf", tarball, "-C", destination], destination);
  const root = join(destination, "package");
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

/**
 * Runs an ES module script (written to `project/<name>.mjs`) with node in the project and
 * parses the last line of its stdout as JSON.
 *
 * @example
 * ```ts
 * const { value } = await runScript(project, "probe", "console.log(JSON.stringify({ ok: true }));");
 * ```
 */
export async function runScript<T>(
  project: string,
  name: string,
  source: string,
  timeoutMs = 30_000,
): Promise<{ value: T; result: RunResult }> {
  const file = join(project, `${name}.mjs`);
  await writeFile(file, source);
  const result = await run("node", [file], project, { timeoutMs });
  const last = result.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return { value: JSON.parse(last) as T, result };
  } catch {
    throw new Error(`${name}.mjs printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * Runs `body` with `node_modules/<name>` moved aside: the project as if that package had
 * never been installed (npm installs peer dependencies by itself, so this is how a user of
 * `--legacy-peer-deps`, Yarn 1 or pnpm's `auto-install-peers=false` ends up).
 *
 * @example
 * ```ts
 * await without(project, "pg", () => runScript(project, "no-pg", source));
 * ```
 */
export async function without<T>(project: string, name: string, body: () => Promise<T>): Promise<T> {
  const installed = join(project, "node_modules", name);
  const aside = join(project, `.aside-${name}`);
  await rename(installed, aside);
  try {
    return await body();
  } finally {
    await rename(aside, installed);
  }
}

/** A started child process whose output is collected as it comes. */
export interface Child {
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Output so far. */
  output(): string;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string, timeoutMs: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Null while running. */
  exitCode(): number | string | null;
}

/**
 * Starts `node <file>` in `cwd` without the test runner's environment.
 *
 * @example
 * ```ts
 * const child = start(project, "stream.mjs");
 * await child.waitFor("streaming", 10_000);
 * ```
 */
export function start(cwd: string, file: string): Child {
  const child = spawn("node", [file], { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let code: number | string | null = null;
  const listeners = new Set<() => void>();
  const onData = (chunk: string) => {
    output += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout.setEncoding("utf8").on("data", onData);
  child.stderr.setEncoding("utf8").on("data", onData);
  const exited = new Promise<number | string>((resolve) =>
    child.on("close", (exitCode, signal) => {
      code = exitCode ?? signal ?? -1;
      resolve(code);
      for (const listener of listeners) listener();
    }),
  );
  return {
    exited,
    output: () => output,
    exitCode: () => code,
    kill: (signal) => child.kill(signal),
    waitFor: (text, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (output.includes(text)) done(resolve);
          else if (code !== null) done(() => reject(new Error(`exited with ${code} before "${text}":\n${output}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no "${text}" in ${timeoutMs} ms:\n${output}`))),
          timeoutMs,
        );
        const done = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      }),
  };
}

/**
 * The version of a workspace package, from its package.json.
 *
 * @example
 * ```ts
 * const version = await versionOf("node_modules/better-sqlite3");
 * ```
 */
export async function versionOf(dir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { version: string }).version;
}
