import {
  assertKey,
  assertName,
  encodeCursor,
  type Layer,
  type NormalizedRecordInput,
  normalizeCountQuery,
  normalizeLayer,
  normalizeQuery,
  normalizeRecordStoreOptions,
  type OnConflict,
  type RecordInput,
  type RecordPage,
  type RecordQuery,
  type RecordStore,
  type RecordStoreOptions,
  type Sighting,
  type SightingInput,
  type StoreBatchResult,
  type StoredRecord,
  validateBatchOptions,
  validateRecordBatch,
  validateRecordInput,
  validateSightingInput,
  validateStoreOptions,
} from "@core/protocols";
import type { SqliteStatement } from "./driver.js";
import { BACKEND } from "./errors.js";
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

/**
 * Opens the record collection `name`, stored in the shared `core_records` table: content
 * and metadata as JSON text (filtered with `json_type`/`json_extract`), a unique index on
 * (collection, naturalKey), writes in `BEGIN IMMEDIATE` transactions, queries compiled to
 * parameterised SQL with keyset cursors. `recordSighting` inserts into a first-sighting
 * table with `ON CONFLICT DO NOTHING`, so exactly one caller (in any process) wins.
 *
 * @example
 * ```ts
 * const feed = createSqliteRecordStore(shared, "feed");
 * await feed.store({ id: "1", naturalKey: "url:1", content: { title: "Hi" } });
 * ```
 */
export function createSqliteRecordStore(shared: SqliteShared, name: string, options?: RecordStoreOptions): RecordStore {
  assertName(BACKEND, name, "collection name");
  const { maxLimit } = normalizeRecordStoreOptions(BACKEND, options);
  return new SqliteRecordStore(shared, name, maxLimit);
}

class SqliteRecordStore implements RecordStore {
  readonly name: string;
  readonly #shared: SqliteShared;
  readonly #maxLimit: number;
  readonly #dynamic = new Map<string, SqliteStatement>();

  constructor(shared: SqliteShared, name: string, maxLimit: number) {
    this.name = name;
    this.#shared = shared;
    this.#maxLimit = maxLimit;
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

  #write(
    input: NormalizedRecordInput,
    onConflict: OnConflict,
    now: number,
    expectedVersion?: number,
  ): ReturnType<typeof writeRecord> {
    return writeRecord(this.#shared, this.name, input, onConflict, now, expectedVersion);
  }

  store(record: RecordInput, options?: { expectedVersion?: number }): Promise<StoredRecord> {
    let input: NormalizedRecordInput;
    let expectedVersion: number | undefined;
    try {
      input = validateRecordInput(BACKEND, record);
      expectedVersion = validateStoreOptions(BACKEND, options).expectedVersion;
    } catch (err) {
      return Promise.reject(err);
    }
    // No copy needed: `input` holds validated copies of the caller's content and metadata,
    // and nothing else keeps the record, so the caller may mutate what it gets.
    return this.#shared.run(
      () =>
        (expectedVersion === undefined ? upsertRecord(this.#shared, this.name, input, Date.now()) : undefined) ??
        this.#shared.write(() => this.#write(input, "update", Date.now(), expectedVersion)[1] as StoredRecord),
    );
  }

  storeBatch(records: readonly RecordInput[], options?: { onConflict?: OnConflict }): Promise<StoreBatchResult> {
    let inputs: NormalizedRecordInput[];
    let onConflict: OnConflict;
    try {
      inputs = validateRecordBatch(BACKEND, records);
      onConflict = validateBatchOptions(BACKEND, options).onConflict;
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() =>
      this.#shared.write(() => {
        const result: StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
        const now = Date.now();
        for (const input of inputs) result[this.#write(input, onConflict, now)[0]]++;
        return result;
      }),
    );
  }

  get(id: string, layer?: Layer): Promise<StoredRecord | null> {
    let checked: Layer | undefined;
    try {
      assertKey(BACKEND, id);
      checked = normalizeLayer(BACKEND, layer);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      const row = (
        checked === undefined
          ? this.#prepare(BY_ID).get(this.name, id)
          : this.#prepare(BY_ID_LAYER).get(this.name, id, checked)
      ) as RecordRow | undefined;
      return row === undefined ? null : toRecord(row);
    });
  }

  getByNaturalKey(naturalKey: string): Promise<StoredRecord | null> {
    try {
      assertKey(BACKEND, naturalKey);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      const row = this.#prepare(BY_KEY).get(this.name, naturalKey) as RecordRow | undefined;
      return row === undefined ? null : toRecord(row);
    });
  }

  async exists(id: string, layer?: Layer): Promise<boolean> {
    return (await this.get(id, layer)) !== null;
  }

  async existsByNaturalKey(naturalKey: string): Promise<boolean> {
    return (await this.getByNaturalKey(naturalKey)) !== null;
  }

  delete(id: string, layer?: Layer): Promise<boolean> {
    let checked: Layer | undefined;
    try {
      assertKey(BACKEND, id);
      checked = normalizeLayer(BACKEND, layer);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      const result =
        checked === undefined
          ? this.#prepare(DELETE).run(this.name, id)
          : this.#prepare(DELETE_LAYER).run(this.name, id, checked);
      return result.changes > 0;
    });
  }

  async *query(query?: RecordQuery): AsyncIterable<StoredRecord> {
    const page = await this.queryPage(query);
    yield* page.records;
  }

  queryPage(query?: RecordQuery): Promise<RecordPage> {
    let normalized: ReturnType<typeof normalizeQuery>;
    try {
      normalized = normalizeQuery(BACKEND, query, this.#maxLimit);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      const part = pageQuery(this.name, normalized);
      const rows = this.#dynamicStatement(part).all(...part.params) as RecordRow[];
      const records = rows.slice(0, normalized.limit).map(toRecord);
      const last = records.at(-1);
      const next =
        rows.length > normalized.limit && last !== undefined ? encodeCursor(normalized.ordering, last) : null;
      return { records, next };
    });
  }

  count(query?: Pick<RecordQuery, "layer" | "where">): Promise<number> {
    let normalized: ReturnType<typeof normalizeCountQuery>;
    try {
      normalized = normalizeCountQuery(BACKEND, query);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      const where = whereClause(this.name, normalized);
      const part = { text: `SELECT count(*) FROM core_records WHERE ${where.text}`, params: where.params };
      return this.#dynamicStatement(part)
        .pluck()
        .get(...part.params) as number;
    });
  }

  recordSighting(sighting: SightingInput): Promise<boolean> {
    let s: ReturnType<typeof validateSightingInput>;
    try {
      s = validateSightingInput(BACKEND, sighting);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() =>
      this.#shared.write(() => {
        const first = this.#prepare(FIRST_SIGHTING).run(this.name, s.naturalKey).changes === 1;
        this.#prepare(ADD_SIGHTING).run(
          this.name,
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

  getSightings(naturalKey: string): Promise<Sighting[]> {
    try {
      assertKey(BACKEND, naturalKey);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      const rows = this.#prepare(SIGHTINGS).all(this.name, naturalKey) as {
        natural_key: string;
        source: string;
        seen_at: number;
        metadata: string;
        content_hash: string | null;
      }[];
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
        for (const sql of CLEAR) removed = this.#prepare(sql).run(this.name).changes;
        return removed;
      }),
    );
  }
}
