import { closeSync, constants, openSync } from "node:fs";
import type { Backend, BackendProvider } from "@core/protocols";
import { invalidArgument } from "@core/protocols/kit";
import { SqliteBackend } from "./backend.js";
import { type BetterSqliteDatabase, loadDriver } from "./driver.js";
import { mapErrors, toBackendError } from "./errors.js";
import { applyPragmas, checkPragmas, type PragmaValue, withFileDefaults } from "./pragmas.js";
import { isSqliteDatabase, type SqliteDatabase } from "./sqlite-database.js";

export { SqliteBackend } from "./backend.js";
export type { PragmaValue } from "./pragmas.js";
export type { SqliteDatabase } from "./sqlite-database.js";

/** Options of {@link openSqliteBackend}. */
export interface SqliteBackendOptions {
  /** Database file, or `":memory:"`. Ignored when `database` is given. */
  path?: string;
  /**
   * A better-sqlite3 Database you own; the backend never closes it and changes none of its
   * pragmas (journal mode, `synchronous`, `busy_timeout`, `foreign_keys` stay as you set them).
   */
  database?: SqliteDatabase;
  /** `NORMAL` (default, durable at checkpoints in WAL) or `FULL` (fsync every commit). */
  synchronous?: "NORMAL" | "FULL";
  /** How long a writer waits for another process's lock (ms). Default 5000. */
  busyTimeoutMs?: number;
  /**
   * More pragmas for a database the backend opens, applied after its own, e.g.
   * `{ cache_size: -64000, temp_store: "memory" }`. Not with `database`; `journal_mode`,
   * `synchronous`, `busy_timeout`, `foreign_keys` and `query_only` are the backend's;
   * unknown names are `INVALID_ARGUMENT`. A file gets `mmap_size = 1073741824` (1 GiB of
   * memory-mapped reads) and `wal_autocheckpoint = 4096` (a checkpoint per 16 MiB of WAL)
   * unless these name them (`{ mmap_size: 0 }` turns mapping off, `{ wal_autocheckpoint:
   * 1000 }` is SQLite's own default); `:memory:` keeps the driver's settings.
   */
  pragmas?: Readonly<Record<string, PragmaValue>>;
}

/**
 * Opens a SQLite backend on a file (WAL mode) or in memory.
 *
 * @example
 * ```ts
 * import { openSqliteBackend } from "@core/backend-sqlite";
 * await using backend = await openSqliteBackend({ path: "./app.db" });
 * await backend.cache("s").set("k", 1);
 * ```
 */
export async function openSqliteBackend(options: SqliteBackendOptions = {}): Promise<Backend> {
  if (options.database !== undefined) {
    const { database } = options;
    if (options.pragmas !== undefined) {
      throw invalidArgument("sqlite", "pragmas apply to a database the backend opens; set them on your own database");
    }
    if (!isSqliteDatabase(database)) throw invalidArgument("sqlite", "database must be a better-sqlite3 Database");
    if (!database.open) throw invalidArgument("sqlite", "database is closed; pass an open better-sqlite3 Database");
    return mapErrors(
      () => new SqliteBackend(database, { owned: false, isFile: !database.memory }),
      "opening the backend",
    );
  }
  const path = options.path ?? ":memory:";
  if (typeof path !== "string" || path.length === 0)
    throw invalidArgument("sqlite", "path must be a file path or :memory:");
  const synchronous = options.synchronous ?? "NORMAL";
  if (synchronous !== "NORMAL" && synchronous !== "FULL")
    throw invalidArgument("sqlite", "synchronous must be NORMAL or FULL");
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (typeof busyTimeoutMs !== "number" || !Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw invalidArgument("sqlite", "busyTimeoutMs must be a non-negative integer");
  }
  const pragmas = checkPragmas(options.pragmas);
  const Database = await loadDriver();
  createPrivate(path);
  const db = mapErrors(() => new Database(path), "opening the database");
  try {
    const isFile = !db.memory;
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (isFile) await enableWal(db, busyTimeoutMs);
    db.pragma(`synchronous = ${synchronous}`);
    // SQLite's own default is off (better-sqlite3's bundled build turns it on, a build on a
    // system SQLite may not): on, a foreign-key violation is an IntegrityError as on every
    // other database. A database passed in keeps its owner's setting.
    db.pragma("foreign_keys = ON");
    applyPragmas(db, isFile ? withFileDefaults(pragmas) : pragmas);
    return new SqliteBackend(db, { owned: true, isFile });
  } catch (err) {
    db.close();
    throw toBackendError(err, "opening the database");
  }
}

// A new database file is created 0600 before the driver opens it (the driver would use
// 0644 under the usual umask); SQLite gives its -wal and -shm files the same mode.
function createPrivate(path: string): void {
  if (path === ":memory:" || path.startsWith("file:")) return;
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
  } catch {
    // Exists already (its mode is the owner's choice) or cannot be created: the driver reports it.
  }
}

// Switching a new file to WAL takes an exclusive lock and may report SQLITE_BUSY without
// waiting when another process opens the same new file at the same moment: retry.
async function enableWal(db: BetterSqliteDatabase, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.pragma("journal_mode = WAL");
      return;
    } catch (err) {
      if (!String((err as { code?: unknown }).code).startsWith("SQLITE_BUSY") || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
}
/**
 * The path in a `sqlite:` URL: `sqlite:./app.db`, `sqlite:///abs/app.db`, `sqlite::memory:`.
 *
 * @example
 * ```ts
 * sqlitePathFromUrl("sqlite:./data/app.db"); // "./data/app.db"
 * ```
 */
export function sqlitePathFromUrl(url: string): string {
  const rest = url.replace(/^sqlite:/i, "");
  if (rest === "" || rest === ":memory:" || rest === "//:memory:") return ":memory:";
  return rest.startsWith("//") ? rest.slice(2) : rest;
}

/**
 * Provider for `openBackend("sqlite:./app.db")`.
 *
 * @example
 * ```ts
 * const backend = await openBackend("sqlite::memory:");
 * ```
 */
export const provider: BackendProvider = {
  name: "sqlite",
  schemes: ["sqlite"],
  open: (url, options) => openSqliteBackend({ ...(options as SqliteBackendOptions), path: sqlitePathFromUrl(url) }),
};
