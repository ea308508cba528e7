import { peerDriver } from "@core/protocols/kit";
import type BetterSqlite3 from "better-sqlite3";

/**
 * The better-sqlite3 `Database` with its full typings, for the backend's own modules. The
 * public API takes the structural `SqliteDatabase` (sqlite-database.ts) instead, so consumers need no
 * `@types/better-sqlite3`.
 */
export type BetterSqliteDatabase = BetterSqlite3.Database;

/** A prepared statement taking positional or named parameters. */
export type SqliteStatement = BetterSqlite3.Statement<unknown[], unknown>;

/**
 * Loads better-sqlite3 (a peer dependency) and its native addon once. A driver that is
 * missing, or installed without its build (pnpm 10's default, `--ignore-scripts`, another
 * Node.js ABI) is `NOT_INSTALLED` with the fix for the package manager in use.
 *
 * @example
 * ```ts
 * const Database = await loadDriver();
 * const db = new Database("app.db");
 * ```
 */
export const loadDriver: (specifier?: string) => Promise<typeof BetterSqlite3> = peerDriver({
  backend: "sqlite",
  driver: "better-sqlite3",
  major: "12",
  importer: (specifier) => import(specifier),
  pick: (module) => (module as { default: typeof BetterSqlite3 }).default,
  // The addon loads on the first `new Database()`: an in-memory database fails for no
  // other reason than the addon (not built, wrong ABI, missing shared library).
  check: (Database) => new Database(":memory:").close(),
});
