import { driverNotInstalled, isMissingPackage } from "./install-hint.js";

/** What a backend says about the driver it loads on first open. */
export interface PeerDriverInfo<T> {
  /** The backend's name, for the error. */
  readonly backend: string;
  /** The driver package (a peer dependency of the backend). */
  readonly driver: string;
  /** The supported major version, for the install command. */
  readonly major: string;
  /**
   * `(specifier) => import(specifier)`, written in the backend's own module: an import
   * resolves from the module that runs it, and the driver is the backend's dependency.
   */
  readonly importer: (specifier: string) => Promise<unknown>;
  /** The driver's export the backend uses, from the imported module (default: the module). */
  readonly pick?: (module: unknown) => T;
  /** Throws when the driver imports but cannot run (a native addon not built for this Node.js). */
  readonly check?: (driver: T) => void;
}

/**
 * A loader for a backend's driver, a peer dependency imported on the first open: a project
 * without it can still import the backend, and opening fails with `NOT_INSTALLED` and the
 * install command for the package manager in use (or, when `check` throws, the build
 * command). The driver is loaded once; a failure is not cached, so installing it and
 * trying again in the same process works. The loader's `specifier` argument is a test seam.
 *
 * @example
 * ```ts
 * export const loadPg = peerDriver({ backend: "postgres", driver: "pg", major: "8",
 *   importer: (specifier) => import(specifier),
 *   pick: (module) => (module as { default: typeof import("pg") }).default });
 * const { Pool } = await loadPg();
 * ```
 */
export function peerDriver<T>(info: PeerDriverInfo<T>): (specifier?: string) => Promise<T> {
  const pick = info.pick ?? ((module: unknown) => module as T);
  const load = async (specifier: string): Promise<T> => {
    let driver: T;
    try {
      driver = pick(await info.importer(specifier));
    } catch (cause) {
      if (!isMissingPackage(cause, specifier)) throw cause;
      throw driverNotInstalled({
        backend: info.backend,
        driver: info.driver,
        major: info.major,
        problem: "missing",
        cause,
      });
    }
    try {
      info.check?.(driver);
    } catch (cause) {
      throw driverNotInstalled({
        backend: info.backend,
        driver: info.driver,
        major: info.major,
        problem: "unbuilt",
        cause,
      });
    }
    return driver;
  };
  let loaded: Promise<T> | undefined;
  return (specifier = info.driver) => {
    if (specifier !== info.driver) return load(specifier);
    loaded ??= load(specifier);
    loaded.catch(() => (loaded = undefined));
    return loaded;
  };
}
