// The ranges a generated package gives @core/protocols and @core/conformance: `^<version>` of
// the versions this release of create-core-backend was built with. The build writes them to
// dist/versions.json from the packages' own package.json, so a scaffold never asks for a
// version that does not exist (`^1.0.0` while the packages were 0.x failed with ERESOLVE).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const VERSIONS_FILE = join(PACKAGE_DIR, "dist", "versions.json");

/**
 * The versions of @core/protocols and @core/conformance, read from their package.json in the
 * monorepo this package sits in (packages/create-core-backend → packages/protocols).
 *
 * @param {string} packagesDir the monorepo's packages/ folder
 * @returns {{ protocols: string, conformance: string }}
 */
export function readWorkspaceVersions(packagesDir = join(PACKAGE_DIR, "..")) {
  const version = (dir) => JSON.parse(readFileSync(join(packagesDir, dir, "package.json"), "utf8")).version;
  return { protocols: version("protocols"), conformance: version("conformance") };
}

/**
 * `^<version>` for each: from dist/versions.json when built (always, once published), else
 * from the monorepo's packages (running from a checkout before the build).
 *
 * @returns {{ protocols: string, conformance: string }}
 */
export function publishedRanges() {
  const versions = existsSync(VERSIONS_FILE)
    ? JSON.parse(readFileSync(VERSIONS_FILE, "utf8"))
    : readWorkspaceVersions();
  return { protocols: `^${versions.protocols}`, conformance: `^${versions.conformance}` };
}
