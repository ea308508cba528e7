import { notSupported, type SqlDatabase } from "@core/protocols";
import type { SqliteShared } from "../shared.js";

// PLACEHOLDER until the SQL work replaces this whole file.
export function createSqliteSql(_shared: SqliteShared): SqlDatabase {
  throw notSupported("sqlite", "sql");
}
