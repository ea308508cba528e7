import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Backend } from "./backend.js";
import { BackendError, invalidArgument } from "./errors.js";
import { detectPackageManager, installCommand } from "./install-hint.js";
import { missingSpecifier, resolveEsmEntry } from "./package-entry.js";
import { redactUrl } from "./redact.js";

/** Options every opener accepts; backends add their own. */
export type OpenOptions = Record<string, unknown>;

/**
 * What a backend package exports as `provider` so `openBackend` can load it, or what a
 * third party passes to {@link registerBackend}.
 *
 * @example
 * ```ts
 * export const provider: BackendProvider = { name: "memory", schemes: ["memory"], open: (url, o) => openMemoryBackend(o) };
 * ```
 */
export interface BackendProvider {
  readonly name: string;
  /** URL schemes without the colon, e.g. `["redis", "rediss"]`. */
  readonly schemes: readonly string[];
  open(url: string, options?: OpenOptions): Promise<Backend>;
}

/**
 * Built-in scheme → package map.
 *
 * @example
 * ```ts
 * BUILTIN_SCHEMES.sqlite; // "@core/backend-sqlite"
 * ```
 */
export const BUILTIN_SCHEMES: Readonly<Record<string, string>> = Object.freeze({
  memory: "@core/backend-memory",
  file: "@core/backend-file",
  sqlite: "@core/backend-sqlite",
  postgres: "@core/backend-postgres",
  postgresql: "@core/backend-postgres",
  redis: "@core/backend-redis",
  rediss: "@core/backend-redis",
});

const registered = new Map<string, BackendProvider>();

/**
 * Plugs a backend into {@link openBackend} under its schemes (it wins over built-ins).
 *
 * @example
 * ```ts
 * registerBackend({ name: "mine", schemes: ["mine"], open: async () => createMyBackend() });
 * await openBackend("mine:");
 * ```
 */
export function registerBackend(provider: BackendProvider): void {
  if (
    !provider ||
    typeof provider.open !== "function" ||
    !Array.isArray(provider.schemes) ||
    provider.schemes.length === 0
  ) {
    throw invalidArgument("registry", "registerBackend needs { name, schemes: [..], open(url, options) }");
  }
  for (const scheme of provider.schemes) {
    if (!/^[a-z][a-z0-9+.-]*$/.test(scheme))
      throw invalidArgument(
        "registry",
        `invalid scheme ${JSON.stringify(scheme)}; use lower-case letters without the colon`,
      );
    registered.set(scheme, provider);
  }
}

/**
 * Removes a registered scheme (mostly for tests).
 *
 * @example
 * ```ts
 * unregisterBackend("mine");
 * ```
 */
export function unregisterBackend(scheme: string): boolean {
  return registered.delete(scheme);
}

/**
 * The scheme of a backend URL (`"postgres"` for `postgres://…`).
 *
 * @example
 * ```ts
 * schemeOf("sqlite:./app.db"); // "sqlite"
 * ```
 */
export function schemeOf(url: string): string {
  if (typeof url !== "string")
    throw invalidArgument(
      "registry",
      "backend URL must be a string such as memory:, file:./data, sqlite:./app.db, postgres://… or redis://…",
    );
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  if (!match)
    throw invalidArgument(
      "registry",
      `not a backend URL: ${JSON.stringify(redactUrl(url))}; expected scheme:… such as memory: or sqlite:./app.db`,
    );
  return match[1]!.toLowerCase();
}

/**
 * True only when the missing module IS `specifier` (or one of its subpaths): a package that
 * is installed but lacks one of its own dependencies must surface that real error, not a
 * misleading NOT_INSTALLED for itself.
 */
function isModuleNotFound(err: unknown, specifier: string): boolean {
  const missing = missingSpecifier(err);
  return missing !== undefined && (missing === specifier || missing.startsWith(`${specifier}/`));
}

async function importPackage(specifier: string): Promise<Record<string, unknown>> {
  try {
    return await import(specifier);
  } catch (err) {
    if (!isModuleNotFound(err, specifier)) throw err;
  }
  // Under strict layouts (pnpm) this package cannot see its siblings; the application
  // that installed the backend can, so resolve from the working directory and from the
  // main script's directory too.
  const bases = [join(process.cwd(), "noop.js")];
  if (process.argv[1]) bases.push(join(dirname(process.argv[1]), "noop.js"));
  for (const base of bases) {
    const entry = resolveFrom(specifier, base);
    if (entry) return await import(pathToFileURL(entry).href);
  }
  throw notInstalled(specifier);
}

// Node's resolver first (it also handles a package importing itself by name); the manual
// `exports` reading only for packages whose exports offer no `require`/`default` target.
function resolveFrom(specifier: string, base: string): string | undefined {
  try {
    return createRequire(base).resolve(specifier);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "MODULE_NOT_FOUND" && code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw err;
  }
  return resolveEsmEntry(specifier, base);
}

function notInstalled(packageName: string, cause?: unknown): BackendError {
  const command = installCommand(detectPackageManager(), packageName);
  return new BackendError("NOT_INSTALLED", `package ${packageName} is not installed; run: ${command}`, {
    backend: "registry",
    cause,
  });
}

/**
 * Loads the provider exported (`provider`) by a backend package.
 *
 * @example
 * ```ts
 * const provider = await loadProvider("@core/backend-sqlite");
 * ```
 */
export async function loadProvider(packageName: string): Promise<BackendProvider> {
  let mod: Record<string, unknown>;
  try {
    mod = await importPackage(packageName);
  } catch (cause) {
    if (isModuleNotFound(cause, packageName)) throw notInstalled(packageName, cause);
    throw cause;
  }
  const provider = (mod.provider ?? (mod.default as Record<string, unknown> | undefined)?.provider) as
    | BackendProvider
    | undefined;
  if (!provider || typeof provider.open !== "function") {
    throw invalidArgument(
      "registry",
      `package ${packageName} does not export a backend provider ({ provider: { name, schemes, open } })`,
    );
  }
  return provider;
}

/**
 * Opens a backend from a URL: `memory:`, `file:./dir`, `sqlite:./app.db`,
 * `sqlite::memory:`, `postgres://…`, `redis://…` or a registered scheme. The package of a
 * built-in scheme is imported on demand; if it is missing this fails with
 * `NOT_INSTALLED` naming it.
 *
 * @example
 * ```ts
 * const backend = await openBackend(process.env.STORE_URL ?? "memory:");
 * ```
 */
export async function openBackend(url: string, options?: OpenOptions): Promise<Backend> {
  const scheme = schemeOf(url);
  const provider =
    registered.get(scheme) ?? (BUILTIN_SCHEMES[scheme] ? await loadProvider(BUILTIN_SCHEMES[scheme]) : undefined);
  if (!provider) {
    const known = [...new Set([...Object.keys(BUILTIN_SCHEMES), ...registered.keys()])].join(", ");
    throw invalidArgument(
      "registry",
      `unknown backend scheme "${scheme}:"; known schemes: ${known} (or registerBackend() your own)`,
    );
  }
  return provider.open(url, options);
}
