import { driverNotInstalled, isMissingPackage } from "@core/protocols/kit";
import type * as IORedis from "ioredis";

let loaded: Promise<typeof IORedis> | undefined;

/**
 * Loads ioredis (a peer dependency) once, on the first open from a URL: a project without
 * it can still import this package, and opening a backend fails with `NOT_INSTALLED` and
 * the install command for the package manager in use. `specifier` is a test seam.
 */
export function loadIoredis(specifier = "ioredis"): Promise<typeof IORedis> {
  if (specifier !== "ioredis") return load(specifier);
  loaded ??= load(specifier);
  // A failure is not cached: the user may install ioredis and try again in this process.
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

async function load(specifier: string): Promise<typeof IORedis> {
  try {
    return (await import(specifier)) as typeof IORedis;
  } catch (cause) {
    if (!isMissingPackage(cause, specifier)) throw cause;
    throw driverNotInstalled({ backend: "redis", driver: "ioredis", major: "5", problem: "missing", cause });
  }
}
