import type * as R from "@core/protocols";
import {
  type NormalizedRecordInput,
  type RecordDriver,
  type SqlRecordExecutor,
  type SqlRecordWrites,
  sqlRecordCollection,
} from "@core/protocols/kit";
import type { SqliteStatement } from "./driver.js";
import { BACKEND, toBackendError } from "./errors.js";
import { sqliteRecordDialect } from "./records-dialect.js";
import { upsertRecord, writeRecord } from "./records-write.js";
import type { SqliteShared } from "./shared.js";

/** Statement texts built from queries are cached up to this many (their shapes vary). */
const MAX_DYNAMIC_STATEMENTS = 256;

const FIRST_SIGHTING = "INSERT INTO core_first_sightings (ns, natural_key) VALUES (?, ?) ON CONFLICT DO NOTHING";
const ADD_SIGHTING = `INSERT INTO core_sightings (ns, natural_key, source, seen_at, metadata, content_hash)
  VALUES (?, ?, ?, CAST(? AS INTEGER), ?, ?)`;
const CLEAR = ["core_sightings", "core_first_sightings", "core_records"].map((t) => `DELETE FROM ${t} WHERE ns = ?`);

// Every statement runs under `runNow`: synchronously when the connection is free (the kit
// then resolves the value once), queued behind a `sql()` transaction otherwise.
function executor(shared: SqliteShared): SqlRecordExecutor {
  const dynamic = new Map<string, SqliteStatement>();
  const statement = (text: string, planned: boolean) => {
    if (!planned) return shared.prepare(text);
    let cached = dynamic.get(text);
    if (cached === undefined) {
      cached = shared.db.prepare<unknown[]>(text);
      if (dynamic.size >= MAX_DYNAMIC_STATEMENTS) dynamic.delete(dynamic.keys().next().value as string);
      dynamic.set(text, cached);
    }
    return cached;
  };
  return {
    all: (_what, text, values, p) =>
      shared.runNow(() => statement(text, p !== undefined).all(...values) as Record<string, unknown>[]),
    // `.get` stops at the first row; `.all` of a key lookup costs a third more per call.
    first: (_what, text, values, p) =>
      shared.runNow(() => statement(text, p !== undefined).get(...values) as Record<string, unknown> | undefined),
    changes: (_what, text, values) => shared.runNow(() => shared.prepare(text).run(...values).changes),
  };
}

/**
 * The writes of one collection in the shared `core_records` table: `BEGIN IMMEDIATE`
 * transactions, a one-statement upsert for the common `store()`; `recordSighting` inserts
 * into a first-sighting table with `ON CONFLICT DO NOTHING`, so exactly one caller (in any
 * process) wins.
 */
function writes(shared: SqliteShared, name: string): SqlRecordWrites {
  // Date.now() at each call (not a saved reference): tests move the clock.
  const now = () => Date.now();
  const write = (input: NormalizedRecordInput, onConflict: R.OnConflict, at: number, expected?: number) =>
    writeRecord(shared, name, input, onConflict, at, expected);
  return {
    // No copy needed: `input` holds validated copies of the caller's content and metadata,
    // and nothing else keeps the record, so the caller may mutate what it gets.
    store: (input, expectedVersion) =>
      shared.runNow(
        () =>
          (expectedVersion === undefined ? upsertRecord(shared, name, input, now()) : undefined) ??
          shared.write(() => write(input, "update", now(), expectedVersion)[1] as R.StoredRecord),
      ),
    storeBatch: (inputs, onConflict) =>
      shared.run(() =>
        shared.write(() => {
          const result: R.StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
          const at = now();
          for (const input of inputs) result[write(input, onConflict, at)[0]]++;
          return result;
        }),
      ),
    recordSighting: (s) =>
      shared.run(() =>
        shared.write(() => {
          const first = shared.prepare(FIRST_SIGHTING).run(name, s.naturalKey).changes === 1;
          const metadata = JSON.stringify(s.metadata);
          shared.prepare(ADD_SIGHTING).run(name, s.naturalKey, s.source, s.seenAt.getTime(), metadata, s.contentHash);
          return first;
        }),
      ),
    clear: () =>
      shared.run(() => shared.write(() => CLEAR.reduce((_, sql) => shared.prepare(sql).run(name).changes, 0))),
  };
}

/**
 * The sqlite backend's record driver (one database, collections by `ns`): the kit's SQL
 * record collection over `sqliteRecordDialect`, with sqlite's own writes.
 *
 * @example
 * ```ts
 * const feed = createRecordStore(sqliteRecordDriver(shared), "feed");
 * ```
 */
export function sqliteRecordDriver(shared: SqliteShared): RecordDriver {
  const run = executor(shared);
  const collection = (name: string) => sqlRecordCollection(sqliteRecordDialect, run, name, writes(shared, name));
  return { backend: BACKEND, lifecycle: shared.lifecycle, toError: toBackendError, collection };
}
