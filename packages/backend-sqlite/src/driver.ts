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
 * Loads better-sqlite3 (a peer dependency) with a clear error when it is missing.
 *
 * @example
 * ```ts
 * const Database = await loadDriver();
 * const db = new Database("app.db");
 * ```
 */
export async function loadDriver(): Promise<typeof BetterSqlite3> {
  try {
    const mod = await import("better-sqlite3");
    return mod.default;
  } catch (cause) {
    const { BackendError } = await import("@core/protocols");
    throw new BackendError("NOT_INSTALLED", "better-sqlite3 is not installed; run: pnpm add better-sqlite3@12", {
      backend: "sqlite",
      cause,
    });
  }
}
