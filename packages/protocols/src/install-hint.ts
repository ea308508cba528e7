import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { BackendError } from "./errors.js";

/** A package manager whose commands an install hint can name. */
export type PackageManager = "pnpm" | "npm" | "yarn" | "bun";

/** Where {@link detectPackageManager} looks. Defaults: `process.env` and `process.cwd()`. */
export interface DetectOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

const LOCKFILES: readonly [string, PackageManager][] = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

/**
 * The package manager in use: the one of the nearest lockfile at or above `cwd` (the one
 * that installed the dependencies), else the one running this process
 * (`npm_config_user_agent`, set by `pnpm run`, `npm run`/`npx`, `yarn`, `bun run`), else `npm`.
 *
 * @example
 * ```ts
 * detectPackageManager({ env: { npm_config_user_agent: "pnpm/10.3.0 npm/? node/v20.19.0" } }); // "pnpm"
 * ```
 */
export function detectPackageManager(options: DetectOptions = {}): PackageManager {
  let dir = options.cwd ?? process.cwd();
  for (;;) {
    for (const [file, manager] of LOCKFILES) if (existsSync(join(dir, file))) return manager;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const agent = (options.env ?? process.env).npm_config_user_agent ?? "";
  return (/^(pnpm|npm|yarn|bun)\//.exec(agent)?.[1] as PackageManager | undefined) ?? "npm";
}

/**
 * The command that adds `spec` (`pg@8`, `@core/backend-sqlite`) to the project.
 *
 * @example
 * ```ts
 * installCommand("pnpm", "pg@8"); // "pnpm add pg@8"
 * ```
 */
export function installCommand(manager: PackageManager, spec: string): string {
  return manager === "npm" ? `npm install ${spec}` : `${manager} add ${spec}`;
}

/**
 * How to run the install script of a native dependency that was installed without it
 * (pnpm 10 and bun skip dependencies' build scripts unless allowed; `--ignore-scripts`).
 *
 * @example
 * ```ts
 * buildHint("npm", "better-sqlite3", "better-sqlite3@12"); // "run: npm rebuild better-sqlite3 …"
 * ```
 */
export function buildHint(manager: PackageManager, name: string, spec: string): string {
  switch (manager) {
    case "pnpm":
      return (
        `pnpm skips dependencies' build scripts unless allowed: run \`pnpm approve-builds\` and select ${name}, ` +
        `or add \`onlyBuiltDependencies: [${name}]\` to pnpm-workspace.yaml; then run \`pnpm rebuild ${name}\``
      );
    case "yarn":
      return (
        `run \`yarn rebuild ${name}\` (Yarn 2+, with scripts enabled for it) ` +
        `or \`yarn add --force ${spec}\` (Yarn 1)`
      );
    case "bun":
      return `run \`bun pm trust ${name}\` (bun skips untrusted build scripts), then \`bun install\``;
    default:
      return `run \`npm rebuild ${name}\` (it was installed with --ignore-scripts?) or \`npm install ${spec}\``;
  }
}

/** What a driver loader knows about the driver it could not use. */
export interface DriverProblem {
  /** Backend raising the error, e.g. `"sqlite"`. */
  backend: string;
  /** The driver package, e.g. `"better-sqlite3"`. */
  driver: string;
  /** The major version to install, e.g. `"12"`. */
  major: string;
  /** `missing`: the package cannot be imported; `unbuilt`: its native addon cannot be loaded. */
  problem: "missing" | "unbuilt";
  /** The import or addon error. */
  cause?: unknown;
  /** Package manager to name; detected by default. */
  manager?: PackageManager;
}

/**
 * The `NOT_INSTALLED` error for a driver (a backend's peer dependency) that is missing or
 * whose native build did not run, with the fix for the package manager in use.
 *
 * @example
 * ```ts
 * try { return await import("pg"); }
 * catch (cause) { throw driverNotInstalled({ backend: "postgres", driver: "pg", major: "8", problem: "missing", cause }); }
 * ```
 */
export function driverNotInstalled(info: DriverProblem): BackendError {
  const manager = info.manager ?? detectPackageManager();
  const spec = `${info.driver}@${info.major}`;
  const message =
    info.problem === "missing"
      ? `${info.driver} is not installed; it is a peer dependency of this backend: run \`${installCommand(manager, spec)}\``
      : `${info.driver} is installed but its native addon is not built or not built for this Node.js ` +
        `(${process.version}): ${buildHint(manager, info.driver, spec)}`;
  return new BackendError("NOT_INSTALLED", message, { backend: info.backend, cause: info.cause });
}

/**
 * True when `err` is the failure to import the package `name` itself (not one of its own
 * dependencies): `ERR_MODULE_NOT_FOUND` / `MODULE_NOT_FOUND` naming it.
 *
 * @example
 * ```ts
 * try { await import("pg"); } catch (err) { if (isMissingPackage(err, "pg")) … }
 * ```
 */
export function isMissingPackage(err: unknown, name: string): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  const text = String(message);
  // "Cannot find package 'pg' imported from …"; a dependency of pg that is missing names itself.
  return text.includes(`'${name}'`) || text.includes(`"${name}"`);
}
