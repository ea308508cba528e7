import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import type { OpenerSpec } from "./targets.js";

/**
 * Bytes of every file under `dir` (recursively; apparent sizes).
 *
 * @example
 * ```ts
 * const bytes = directoryBytes("/tmp/bench-file-x");
 * ```
 */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/**
 * Bytes on disk of a file or sqlite store opened from `opener`, or undefined for a store
 * that does not live in local files. SQLite is checkpointed first (`wal_checkpoint(TRUNCATE)`
 * from a second connection), so the count is the database, not a WAL of pending pages.
 *
 * @example
 * ```ts
 * const bytes = storeBytes(target.opener);
 * ```
 */
export function storeBytes(opener: OpenerSpec): number | undefined {
  const { directory, path } = opener.options as { directory?: string; path?: string };
  if (directory) return directoryBytes(directory);
  if (!path) return undefined;
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return directoryBytes(dirname(path));
}
