import { driverNotInstalled, isMissingPackage } from "@core/protocols/kit";
import type BetterSqlite3 from "better-sqlite3";

/**
 * The better-sqlite3 `Database` with its full typings, for the backend's own modules. The
 * public API takes the structural `SqliteDatabase` (sqlite-database.ts) instead, so consumers need no
 * `@types/better-sqlite3`.
 */
export type BetterSqliteDatabase = BetterSqlite3.Database;

/** A prepared statement taking positional or named parameters. */
export type SqliteStatement = BetterSqlite3.Statement<unknown[], unknown>;

let loaded: Promise<typeof BetterSqlite3> | undefined;

/**
 * Loads better-sqlite3 (a peer dependency) and its native addon once. A driver that is
 * missing, or installed without its build (pnpm 10's default, `--ignore-scripts`, another
 * Node.js ABI) is `NOT_INSTALLED` with the fix for the package manager in use. `specifier`
 * is a test seam.
 *
 * @example
 * ```ts
 * const Database = await loadDriver();
 * const db = new Database("app.db");
 * ```
 */
export function loadDriver(specifier = "better-sqlite3"): Promise<typeof BetterSqlite3> {
  if (specifier !== "better-sqlite3") return load(specifier);
  loaded ??= load(specifier);
  // A failure is not cached: the user may fix the install and try again in this process.
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

async function load(specifier: string): Promise<typeof BetterSqlite3> {
  const problem = { backend: "sqlite", driver: "better-sqlite3", major: "12" } as const;
  let Database: typeof BetterSqlite3;
  try {
    Database = ((await import(specifier)) as { default: typeof BetterSqlite3 }).default;
  } catch (cause) {
    if (isMissingPackage(cause, specifier)) throw driverNotInstalled({ ...problem, problem: "missing", cause });
    throw cause;
  }
  // better-sqlite3 loads its addon on the first `new Database()`: an in-memory database can
  // fail for no other reason than the addon (not built, wrong ABI, missing shared library).
  try {
    new Database(":memory:").close();
  } catch (cause) {
    throw driverNotInstalled({ ...problem, problem: "unbuilt", cause });
  }
  return Database;
}
