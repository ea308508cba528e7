import type { NormalizedRecordInput, OnConflict, StoredRecord } from "@core/protocols";
import { conflict } from "./errors.js";
import { CURRENT, type CurrentRow, INSERT, OWNER, UPDATE_ALL, UPDATE_CONTENT, UPSERT } from "./records-statements.js";
import type { SqliteShared } from "./shared.js";

/** What a write did to one record. */
export type WriteOutcome = "inserted" | "updated" | "skipped";

/**
 * Inserts or updates one validated record of collection `name`; call inside the write
 * transaction. Enforces `expectedVersion` and natural-key ownership, applies `onConflict`
 * to an existing id, keeps `updatedAt` monotonic and rewrites only the columns that change.
 *
 * @example
 * ```ts
 * const [outcome, stored] = shared.write(() => writeRecord(shared, "feed", input, "update", Date.now()));
 * ```
 */
export function writeRecord(
  shared: SqliteShared,
  name: string,
  input: NormalizedRecordInput,
  onConflict: OnConflict,
  now: number,
  expectedVersion?: number,
): [WriteOutcome, StoredRecord?] {
  const existing = shared.prepare(CURRENT).get(name, input.id) as CurrentRow | undefined;
  if (expectedVersion !== undefined && (existing?.version ?? 0) !== expectedVersion) {
    throw conflict(
      `record ${JSON.stringify(input.id)} is at version ${existing?.version ?? 0}, not ${expectedVersion}; read it again and retry`,
    );
  }
  // A record keeping its natural key owns it: only a new or changed key needs the lookup.
  const owner =
    existing?.natural_key === input.naturalKey
      ? input.id
      : (shared.prepare(OWNER).pluck().get(name, input.naturalKey) as string | undefined);
  if (owner !== undefined && owner !== input.id) {
    if (onConflict === "skip") return ["skipped"];
    throw conflict(`naturalKey ${JSON.stringify(input.naturalKey)} already belongs to record ${JSON.stringify(owner)}`);
  }
  if (existing !== undefined && onConflict === "skip") return ["skipped"];
  if (existing !== undefined && onConflict === "error") {
    throw conflict(`record ${JSON.stringify(input.id)} already exists (onConflict: "error")`);
  }
  // updatedAt never goes backwards, even if the clock does.
  const updatedAt = existing === undefined ? now : Math.max(now, existing.updated_at);
  const record: StoredRecord = {
    ...input,
    createdAt: new Date(existing?.created_at ?? updatedAt),
    updatedAt: new Date(updatedAt),
    version: (existing?.version ?? 0) + 1,
  };
  const content = JSON.stringify(record.content);
  const metadata = JSON.stringify(record.metadata);
  if (existing === undefined) {
    shared
      .prepare(INSERT)
      .run(name, record.id, record.naturalKey, record.layer, content, metadata, updatedAt, updatedAt, record.version);
  } else if (existing.natural_key === record.naturalKey && existing.layer === record.layer) {
    shared.prepare(UPDATE_CONTENT).run(content, metadata, updatedAt, record.version, name, record.id);
  } else {
    shared
      .prepare(UPDATE_ALL)
      .run(record.naturalKey, record.layer, content, metadata, updatedAt, record.version, name, record.id);
  }
  return [existing === undefined ? "inserted" : "updated", record];
}

/**
 * The fast path of `store()` without `expectedVersion`: one atomic statement instead of a
 * transaction of a read and a write. Returns undefined when {@link writeRecord} must decide
 * instead: the record changes its natural key or layer, or its natural key belongs to
 * another record (the slow path re-reads everything and reports the CONFLICT).
 *
 * @example
 * ```ts
 * const stored = upsertRecord(shared, "feed", input, Date.now()) ?? shared.write(() => writeRecord(...)[1]);
 * ```
 */
export function upsertRecord(
  shared: SqliteShared,
  name: string,
  input: NormalizedRecordInput,
  now: number,
): StoredRecord | undefined {
  let row: Pick<CurrentRow, "created_at" | "updated_at" | "version"> | undefined;
  try {
    [row] = shared
      .prepare(UPSERT)
      .all(
        name,
        input.id,
        input.naturalKey,
        input.layer,
        JSON.stringify(input.content),
        JSON.stringify(input.metadata),
        now,
        now,
      ) as (typeof row)[];
  } catch (err) {
    if ((err as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE") return undefined;
    throw err;
  }
  if (row === undefined) return undefined;
  return { ...input, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at), version: row.version };
}
