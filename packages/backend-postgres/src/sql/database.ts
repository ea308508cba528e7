import { notSupported, type SqlDatabase } from "@core/protocols";
import type { PostgresShared } from "../shared.js";

// PLACEHOLDER until the SQL work replaces this whole file.
export function createPostgresSql(_shared: PostgresShared): SqlDatabase {
  throw notSupported("postgres", "sql");
}
