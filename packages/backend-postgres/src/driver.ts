import { peerDriver } from "@core/protocols/kit";
import type pg from "pg";

/**
 * Loads pg (a peer dependency) once, on the first open; without it, opening fails with
 * `NOT_INSTALLED` and the install command.
 *
 * @example
 * ```ts
 * const { Pool } = await loadPg();
 * ```
 */
export const loadPg = peerDriver<typeof pg>({
  backend: "postgres",
  driver: "pg",
  major: "8",
  importer: (specifier) => import(specifier),
  pick: (module) => (module as { default: typeof pg }).default,
});
