import { readFileSync } from "node:fs";
import { BackendError } from "@core/protocols";
import type { BetterSqliteDatabase } from "./driver.js";
import { BACKEND, toBackendError } from "./errors.js";

/** Schema files and the version each creates. Bump a version together with a migration. */
const SCHEMAS = [
  { name: "cache", version: 1 },
  // 2: puts no longer bump core_queue_topics.next_offset (max(seq) + 1 instead). A v1
  // file migrates as is: its next_offset values are exact, so they are valid floors.
  { name: "queue", version: 2 },
  // 2: core_records is a rowid table with UNIQUE (ns, id) instead of WITHOUT ROWID keyed by
  // it; a v1 file's rows are copied across once (migrations/records-2.sql).
  { name: "records", version: 2 },
  // 2: core_outbox.not_before (send's delayMs); a v1 file gets the column, null for its messages.
  { name: "transport", version: 2 },
] as const;

/**
 * The versions that have a migration, per schema: `schema/migrations/<name>-<version>.sql`
 * brings a file from `version - 1` to `version`. Steps run in order on older files, before
 * the schema's own file, which then adds whatever the latest version has beyond them.
 */
const MIGRATIONS: Record<string, readonly number[]> = {
  records: [2],
  transport: [2],
};

let loaded: { name: string; version: number; text: string }[] | undefined;

// `new URL(…, import.meta.url)` finds the files beside this module in src/ (tests) and in
// dist/ (the build copies src/schema there).
function load(file: string): string {
  return readFileSync(new URL(`./schema/${file}.sql`, import.meta.url), "utf8");
}

function schemas(): { name: string; version: number; text: string }[] {
  loaded ??= SCHEMAS.map((s) => ({ ...s, text: load(s.name) }));
  return loaded;
}

// A migration that rebuilds a table drops the old one and renames the new one into its
// place. By default SQLite's RENAME re-checks every view and trigger and fails on a view
// of the user's that names the (dropped) table; legacy renames leave them as written, so
// such a view reads the new table. The connection may be the user's: their setting returns.
function migrate(db: BetterSqliteDatabase, steps: string): void {
  const legacy = db.pragma("legacy_alter_table", { simple: true });
  db.pragma("legacy_alter_table = ON");
  try {
    db.exec(steps);
  } finally {
    db.pragma(`legacy_alter_table = ${legacy ? "ON" : "OFF"}`);
  }
}

/**
 * Creates every table this backend uses, idempotently (`CREATE … IF NOT EXISTS`) inside
 * one `BEGIN IMMEDIATE` transaction, so two processes opening the same new file at once
 * both succeed: the second waits for the first (busy timeout) and then finds the tables.
 * Each protocol's schema version is recorded in `core_meta`; a database written by a newer
 * release (a higher version) is refused with `CORRUPTION` rather than misread; an older
 * one is migrated in the same transaction (all or nothing, once across processes).
 *
 * @example
 * ```ts
 * applySchema(db);
 * ```
 */
export function applySchema(db: BetterSqliteDatabase): void {
  const files = schemas();
  const meta = load("meta");
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(meta);
      const read = db.prepare("SELECT version FROM core_meta WHERE name = ?").pluck();
      const write = db.prepare(
        "INSERT INTO core_meta (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version",
      );
      for (const schema of files) {
        const found = read.get(schema.name) as number | undefined;
        if (found !== undefined && found > schema.version) {
          throw new BackendError(
            "CORRUPTION",
            `the ${schema.name} tables are at schema version ${found}, newer than this release understands (${schema.version}); upgrade @core/backend-sqlite`,
            { backend: BACKEND },
          );
        }
        // CREATE … IF NOT EXISTS would leave an older file's tables as they are: migrate
        // them first. `found` is read under the write lock, so of two processes opening an
        // old file at once, one migrates and the other then finds the new version.
        for (let v = (found ?? schema.version) + 1; v <= schema.version; v++) {
          if (MIGRATIONS[schema.name]?.includes(v)) migrate(db, load(`migrations/${schema.name}-${v}`));
        }
        db.exec(schema.text);
        if (found !== schema.version) write.run(schema.name, schema.version);
      }
      db.exec("COMMIT");
    } catch (err) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw err;
    }
  } catch (err) {
    throw toBackendError(err, "creating the schema");
  }
}
