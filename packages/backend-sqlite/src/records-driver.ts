import type * as R from "@core/protocols";
import type {
  MaybePromise,
  NormalizedCountQuery,
  NormalizedQuery,
  NormalizedRecordInput,
  NormalizedSightingInput,
  RecordCollectionDriver,
  RecordDriver,
} from "@core/protocols/kit";
import { encodeCursor } from "@core/protocols/kit";
import type { SqliteStatement } from "./driver.js";
import { BACKEND, toBackendError } from "./errors.js";
import { pageQuery, type SqlPart, whereClause } from "./records-sql.js";
import {
  ADD_SIGHTING,
  BY_ID,
  BY_ID_LAYER,
  BY_KEY,
  CLEAR,
  DELETE,
  DELETE_LAYER,
  FIRST_SIGHTING,
  type RecordRow,
  SIGHTINGS,
  toRecord,
} from "./records-statements.js";
import { upsertRecord, writeRecord } from "./records-write.js";
import type { SqliteShared } from "./shared.js";

/** Statement texts built from queries are cached up to this many (their shapes vary). */
const MAX_DYNAMIC_STATEMENTS = 256;

interface SightingRow {
  natural_key: string;
  source: string;
  seen_at: number;
  metadata: string;
  content_hash: string | null;
}

/**
 * The records of one collection in the shared `core_records` table: content and metadata
 * as JSON text (filtered with `json_type`/`json_extract`), a unique index on
 * (collection, naturalKey), writes in `BEGIN IMMEDIATE` transactions, queries compiled to
 * parameterised SQL with keyset cursors. `recordSighting` inserts into a first-sighting
 * table with `ON CONFLICT DO NOTHING`, so exactly one caller (in any process) wins. Every
 * hook runs under `shared.run` (waits for a `sql()` transaction, maps driver errors).
 */
class SqliteRecords implements RecordCollectionDriver {
  readonly #shared: SqliteShared;
  readonly #name: string;
  readonly #dynamic = new Map<string, SqliteStatement>();

  constructor(shared: SqliteShared, name: string) {
    this.#shared = shared;
    this.#name = name;
  }

  #prepare(sql: string): SqliteStatement {
    return this.#shared.prepare(sql);
  }

  #dynamicStatement(part: SqlPart): SqliteStatement {
    let statement = this.#dynamic.get(part.text);
    if (statement === undefined) {
      statement = this.#shared.db.prepare<unknown[]>(part.text);
      if (this.#dynamic.size >= MAX_DYNAMIC_STATEMENTS)
        this.#dynamic.delete(this.#dynamic.keys().next().value as string);
      this.#dynamic.set(part.text, statement);
    }
    return statement;
  }

  // store and get answer synchronously when the connection is free (runNow): the kit then
  // resolves the value once, instead of a promise here and a rejection handler on it there.
  store(input: NormalizedRecordInput, expectedVersion: number | undefined): MaybePromise<R.StoredRecord> {
    const shared = this.#shared;
    // No copy needed: `input` holds validated copies of the caller's content and metadata,
    // and nothing else keeps the record, so the caller may mutate what it gets.
    return shared.runNow(
      () =>
        (expectedVersion === undefined ? upsertRecord(shared, this.#name, input, Date.now()) : undefined) ??
        shared.write(
          () => writeRecord(shared, this.#name, input, "update", Date.now(), expectedVersion)[1] as R.StoredRecord,
        ),
    );
  }

  storeBatch(inputs: NormalizedRecordInput[], onConflict: R.OnConflict): Promise<R.StoreBatchResult> {
    return this.#shared.run(() =>
      this.#shared.write(() => {
        const result: R.StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
        const now = Date.now();
        for (const input of inputs) result[writeRecord(this.#shared, this.#name, input, onConflict, now)[0]]++;
        return result;
      }),
    );
  }

  get(id: string, layer: R.Layer | undefined): MaybePromise<R.StoredRecord | null> {
    return this.#shared.runNow(() => {
      const row = (
        layer === undefined
          ? this.#prepare(BY_ID).get(this.#name, id)
          : this.#prepare(BY_ID_LAYER).get(this.#name, id, layer)
      ) as RecordRow | undefined;
      return row === undefined ? null : toRecord(row);
    });
  }

  getByNaturalKey(naturalKey: string): Promise<R.StoredRecord | null> {
    return this.#shared.run(() => {
      const row = this.#prepare(BY_KEY).get(this.#name, naturalKey) as RecordRow | undefined;
      return row === undefined ? null : toRecord(row);
    });
  }

  delete(id: string, layer: R.Layer | undefined): Promise<boolean> {
    return this.#shared.run(() => {
      const result =
        layer === undefined
          ? this.#prepare(DELETE).run(this.#name, id)
          : this.#prepare(DELETE_LAYER).run(this.#name, id, layer);
      return result.changes > 0;
    });
  }

  queryPage(query: NormalizedQuery): Promise<R.RecordPage> {
    return this.#shared.run(() => {
      const part = pageQuery(this.#name, query);
      const rows = this.#dynamicStatement(part).all(...part.params) as RecordRow[];
      const records = rows.slice(0, query.limit).map(toRecord);
      const last = records.at(-1);
      const next = rows.length > query.limit && last !== undefined ? encodeCursor(query.ordering, last) : null;
      return { records, next };
    });
  }

  count(query: NormalizedCountQuery): Promise<number> {
    return this.#shared.run(() => {
      const where = whereClause(this.#name, query);
      const part = { text: `SELECT count(*) FROM core_records WHERE ${where.text}`, params: where.params };
      return this.#dynamicStatement(part)
        .pluck()
        .get(...part.params) as number;
    });
  }

  recordSighting(s: NormalizedSightingInput): Promise<boolean> {
    return this.#shared.run(() =>
      this.#shared.write(() => {
        const first = this.#prepare(FIRST_SIGHTING).run(this.#name, s.naturalKey).changes === 1;
        this.#prepare(ADD_SIGHTING).run(
          this.#name,
          s.naturalKey,
          s.source,
          s.seenAt.getTime(),
          JSON.stringify(s.metadata),
          s.contentHash,
        );
        return first;
      }),
    );
  }

  getSightings(naturalKey: string): Promise<R.Sighting[]> {
    return this.#shared.run(() => {
      const rows = this.#prepare(SIGHTINGS).all(this.#name, naturalKey) as SightingRow[];
      return rows.map((row) => ({
        naturalKey: row.natural_key,
        source: row.source,
        seenAt: new Date(row.seen_at),
        metadata: JSON.parse(row.metadata),
        contentHash: row.content_hash,
      }));
    });
  }

  clear(): Promise<number> {
    return this.#shared.run(() =>
      this.#shared.write(() => {
        let removed = 0;
        for (const sql of CLEAR) removed = this.#prepare(sql).run(this.#name).changes;
        return removed;
      }),
    );
  }
}

/**
 * The sqlite backend's record driver (one database, collections by `ns`).
 *
 * @example
 * ```ts
 * const feed = createRecordStore(sqliteRecordDriver(shared), "feed");
 * ```
 */
export function sqliteRecordDriver(shared: SqliteShared): RecordDriver {
  const collection = (name: string) => new SqliteRecords(shared, name);
  return { backend: BACKEND, lifecycle: shared.lifecycle, toError: toBackendError, collection };
}
