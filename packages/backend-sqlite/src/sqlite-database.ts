/**
 * The part of a better-sqlite3 `Database` (v12) the backend relies on, written out so the
 * published types need neither `better-sqlite3` nor `@types/better-sqlite3` to compile. A
 * real `Database` satisfies it; pass one you own as `openSqliteBackend({ database })`.
 * Anything else is refused with `INVALID_ARGUMENT`: the backend drives better-sqlite3's
 * synchronous API and needs the real thing.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * const database: SqliteDatabase = new Database("app.db");
 * await using backend = await openSqliteBackend({ database });
 * ```
 */
export interface SqliteDatabase {
  /** False once the database was closed. */
  readonly open: boolean;
  /** True while a transaction is open on the connection. */
  readonly inTransaction: boolean;
  /** True for an in-memory database (no other process can share it). */
  readonly memory: boolean;
  prepare(source: string): unknown;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
}

/**
 * True when `value` has the shape of an open better-sqlite3 `Database`.
 *
 * @example
 * ```ts
 * if (!isSqliteDatabase(options.database)) throw invalidArgument("sqlite", "database must be a better-sqlite3 Database");
 * ```
 */
export function isSqliteDatabase(value: unknown): value is SqliteDatabase {
  if (value === null || typeof value !== "object") return false;
  const db = value as Record<string, unknown>;
  return (
    typeof db.prepare === "function" &&
    typeof db.exec === "function" &&
    typeof db.pragma === "function" &&
    typeof db.close === "function" &&
    typeof db.inTransaction === "boolean" &&
    typeof db.memory === "boolean" &&
    typeof db.open === "boolean"
  );
}
