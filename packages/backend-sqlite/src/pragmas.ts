import { invalidArgument } from "@core/protocols/kit";
import type { SqliteDatabase } from "./sqlite-database.js";

/** A pragma value `openSqliteBackend({ pragmas })` accepts. */
export type PragmaValue = string | number | boolean;

const NAME = /^[a-z_]+$/i;
const WORD = /^[A-Za-z0-9_-]+$/;
// Settings the backend owns: its guarantees (WAL, durability, waits, foreign keys as
// IntegrityError, read-only transactions) depend on them; each has its own option or none.
const OWNED = new Set(["journal_mode", "synchronous", "busy_timeout", "foreign_keys", "query_only"]);

/**
 * Pragmas a database file the backend opens gets before the caller's own (which win, name
 * by name). `mmap_size`: reads come straight from the OS page cache instead of a `pread`
 * and a copy per page SQLite's own cache misses — every row of a page in a time or
 * natural-key order once a store outgrows that cache (a million records is ~410 MB).
 * Address space only, mapped up to the file's size. A larger `cache_size` is not among
 * them: measured at 1M records, 64 MiB changed neither page nor fill cost beyond noise.
 *
 * `wal_autocheckpoint`: a checkpoint runs on the writing call and waits for three fsyncs
 * (5–30 ms here), and one record store logs ~10 pages (the table and seven indexes), so
 * SQLite's 1,000 pages stalled every ~94th store — about half the single-store throughput
 * went there. 4,096 pages (16 MiB of WAL at 4 KiB pages) stall every ~360th store and
 * write less back (the hot index pages once per checkpoint: 5,000 stores wrote 1,048 pages
 * to the file instead of 2,339). What `synchronous: NORMAL` can lose on a power cut is the
 * log since the last checkpoint, so up to 16 MiB of it instead of 4.
 *
 * @example
 * ```ts
 * applyPragmas(db, withFileDefaults(checkPragmas({ cache_size: -2000 }))); // the defaults, cache_size yours
 * ```
 */
export const FILE_PRAGMA_DEFAULTS: Readonly<Record<string, PragmaValue>> = {
  mmap_size: 1 << 30,
  wal_autocheckpoint: 4096,
};

/**
 * The file defaults the caller did not set themselves, followed by the caller's checked
 * pragmas (see {@link FILE_PRAGMA_DEFAULTS}).
 *
 * @example
 * ```ts
 * withFileDefaults([["cache_size", "-2000"]]); // [["mmap_size", "1073741824"], ["wal_autocheckpoint", "4096"], ["cache_size", "-2000"]]
 * ```
 */
export function withFileDefaults(pragmas: readonly [string, string][]): [string, string][] {
  const given = new Set(pragmas.map(([name]) => name));
  const defaults = checkPragmas(FILE_PRAGMA_DEFAULTS).filter(([name]) => !given.has(name));
  return [...defaults, ...pragmas];
}

/**
 * Validates `pragmas` before the database is opened and returns `[name, value]` pairs in
 * SQL form (booleans as ON/OFF): names are identifiers and not one the backend sets itself
 * (`journal_mode`, `synchronous`, `busy_timeout`, `foreign_keys`, `query_only`); values are
 * finite numbers, booleans or single words. `INVALID_ARGUMENT` otherwise.
 *
 * @example
 * ```ts
 * checkPragmas({ cache_size: -64000, temp_store: "memory" }); // [["cache_size", "-64000"], ["temp_store", "memory"]]
 * ```
 */
export function checkPragmas(pragmas: unknown): [string, string][] {
  if (pragmas === undefined) return [];
  if (pragmas === null || typeof pragmas !== "object" || Array.isArray(pragmas)) {
    throw invalidArgument("sqlite", "pragmas must be an object { name: value }");
  }
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(pragmas)) {
    if (!NAME.test(name)) throw invalidArgument("sqlite", `pragma name ${JSON.stringify(name)} is not an identifier`);
    const key = name.toLowerCase();
    if (OWNED.has(key)) {
      throw invalidArgument(
        "sqlite",
        `pragma ${key} is set by the backend (use the synchronous/busyTimeoutMs options, or pass your own database)`,
      );
    }
    if (typeof value === "boolean") out.push([key, value ? "ON" : "OFF"]);
    else if (typeof value === "number" && Number.isFinite(value)) out.push([key, String(value)]);
    else if (typeof value === "string" && WORD.test(value)) out.push([key, value]);
    else {
      throw invalidArgument(
        "sqlite",
        `pragma ${key} needs a finite number, a boolean or one word, got ${JSON.stringify(value)}`,
      );
    }
  }
  return out;
}

/**
 * Sets checked pragmas on a database just opened. A name SQLite does not know (it would
 * ignore it silently) is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * applyPragmas(db, checkPragmas({ cache_size: -64000 }));
 * ```
 */
export function applyPragmas(db: Pick<SqliteDatabase, "pragma">, pragmas: readonly [string, string][]): void {
  if (pragmas.length === 0) return;
  const known = new Set((db.pragma("pragma_list") as { name: string }[]).map((row) => row.name));
  for (const [name, value] of pragmas) {
    if (!known.has(name)) throw invalidArgument("sqlite", `unknown pragma ${name}`);
    db.pragma(`${name} = ${value}`);
  }
}
