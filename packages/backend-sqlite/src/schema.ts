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
  { name: "records", version: 1 },
  // 2: core_outbox.not_before (send's delayMs); a v1 file gets the column, null for its messages.
  { name: "transport", version: 2 },
] as const;

/** Statements that bring a schema from `version - 1` to `version`, run in order on older files. */
const MIGRATIONS: Record<string, Record<number, string>> = {
  transport: { 2: "ALTER TABLE core_outbox ADD COLUMN not_before INTEGER" },
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

/**
 * Creates every table this backend uses, idempotently (`CREATE … IF NOT EXISTS`) inside
 * one `BEGIN IMMEDIATE` transaction, so two processes opening the same new file at once
 * both succeed: the second waits for the first (busy timeout) and then finds the tables.
 * Each protocol's schema version is recorded in `core_meta`; a database written by a newer
 * release (a higher version) is refused with `CORRUPTION` rather than misread.
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
        db.exec(schema.text);
        // CREATE … IF NOT EXISTS leaves an older file's tables as they are: migrate them.
        for (let v = (found ?? schema.version) + 1; v <= schema.version; v++) {
          const step = MIGRATIONS[schema.name]?.[v];
          if (step !== undefined) db.exec(step);
        }
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
