import { driverNotInstalled, isMissingPackage } from "@core/protocols/kit";
import type pg from "pg";

let loaded: Promise<typeof pg> | undefined;

/**
 * Loads pg (a peer dependency) once, on the first open: a project without it can still
 * import this package, and opening a backend fails with `NOT_INSTALLED` and the install
 * command for the package manager in use. `specifier` is a test seam.
 *
 * @example
 * ```ts
 * const { Pool } = await loadPg();
 * const pool = new Pool({ connectionString });
 * ```
 */
export function loadPg(specifier = "pg"): Promise<typeof pg> {
  if (specifier !== "pg") return load(specifier);
  loaded ??= load(specifier);
  // A failure is not cached: the user may install pg and try again in this process.
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

async function load(specifier: string): Promise<typeof pg> {
  try {
    return ((await import(specifier)) as { default: typeof pg }).default;
  } catch (cause) {
    if (!isMissingPackage(cause, specifier)) throw cause;
    throw driverNotInstalled({ backend: "postgres", driver: "pg", major: "8", problem: "missing", cause });
  }
}
