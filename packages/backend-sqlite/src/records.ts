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
import { BACKEND, conflict } from "./errors.js";
import { pageQuery, type SqlPart, whereClause } from "./records-sql.js";
import type { SqliteShared } from "./shared.js";

const COLUMNS = "id, natural_key, layer, content, metadata, created_at, updated_at, version";
const BY_ID = `SELECT ${COLUMNS} FROM core_records WHERE ns = ? AND id = ?`;
const BY_ID_LAYER = `SELECT ${COLUMNS} FROM core_records WHERE ns = ? AND id = ? AND layer = ?`;
/** What a write needs to know of the current row (not its JSON). */
const CURRENT = "SELECT natural_key, layer, created_at, updated_at, version FROM core_records WHERE ns = ? AND id = ?";
const BY_KEY = `SELECT ${COLUMNS} FROM core_records WHERE ns = ? AND natural_key = ?`;
const OWNER = "SELECT id FROM core_records WHERE ns = ? AND natural_key = ?";
const INSERT = `INSERT INTO core_records (ns, ${COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER))`;
// Updates name only the columns they change: SQLite maintains every index whose columns
// appear in SET, so rewriting an unchanged natural_key or layer would rewrite (and log to
// the WAL) their index pages on every store.
const UPDATE_CONTENT = `UPDATE core_records SET content = ?, metadata = ?, updated_at = CAST(? AS INTEGER),
  version = CAST(? AS INTEGER) WHERE ns = ? AND id = ?`;
const UPDATE_ALL = `UPDATE core_records SET natural_key = ?, layer = ?, content = ?, metadata = ?,
  updated_at = CAST(? AS INTEGER), version = CAST(? AS INTEGER) WHERE ns = ? AND id = ?`;
const DELETE = "DELETE FROM core_records WHERE ns = ? AND id = ?";
const DELETE_LAYER = "DELETE FROM core_records WHERE ns = ? AND id = ? AND layer = ?";
const FIRST_SIGHTING = "INSERT INTO core_first_sightings (ns, natural_key) VALUES (?, ?) ON CONFLICT DO NOTHING";
const ADD_SIGHTING = `INSERT INTO core_sightings (ns, natural_key, source, seen_at, metadata, content_hash)
  VALUES (?, ?, ?, CAST(? AS INTEGER), ?, ?)`;
const SIGHTINGS = `SELECT natural_key, source, seen_at, metadata, content_hash FROM core_sightings
  WHERE ns = ? AND natural_key = ? ORDER BY seen_at, seq`;
const CLEAR = [
  "DELETE FROM core_sightings WHERE ns = ?",
  "DELETE FROM core_first_sightings WHERE ns = ?",
  "DELETE FROM core_records WHERE ns = ?",
];
/** Statement texts built from queries are cached up to this many (their shapes vary). */
const MAX_DYNAMIC_STATEMENTS = 256;

interface Row {
  id: string;
  natural_key: string;
  layer: Layer;
  content: string;
  metadata: string;
  created_at: number;
  updated_at: number;
  version: number;
}

type Current = Pick<Row, "natural_key" | "layer" | "created_at" | "updated_at" | "version">;

function toRecord(row: Row): StoredRecord {
  return {
    id: row.id,
    naturalKey: row.natural_key,
    layer: row.layer,
    content: JSON.parse(row.content),
    metadata: JSON.parse(row.metadata),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: row.version,
  };
}

type Outcome = "inserted" | "updated" | "skipped";

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
  ): [Outcome, StoredRecord?] {
    const existing = this.#prepare(CURRENT).get(this.name, input.id) as Current | undefined;
    if (expectedVersion !== undefined && (existing?.version ?? 0) !== expectedVersion) {
      throw conflict(
        `record ${JSON.stringify(input.id)} is at version ${existing?.version ?? 0}, not ${expectedVersion}; read it again and retry`,
      );
    }
    // A record keeping its natural key owns it: only a new or changed key needs the lookup.
    const owner =
      existing?.natural_key === input.naturalKey
        ? input.id
        : (this.#prepare(OWNER).pluck().get(this.name, input.naturalKey) as string | undefined);
    if (owner !== undefined && owner !== input.id) {
      if (onConflict === "skip") return ["skipped"];
      throw conflict(
        `naturalKey ${JSON.stringify(input.naturalKey)} already belongs to record ${JSON.stringify(owner)}`,
      );
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
      this.#prepare(INSERT).run(
        this.name,
        record.id,
        record.naturalKey,
        record.layer,
        content,
        metadata,
        updatedAt,
        updatedAt,
        record.version,
      );
    } else if (existing.natural_key === record.naturalKey && existing.layer === record.layer) {
      this.#prepare(UPDATE_CONTENT).run(content, metadata, updatedAt, record.version, this.name, record.id);
    } else {
      this.#prepare(UPDATE_ALL).run(
        record.naturalKey,
        record.layer,
        content,
        metadata,
        updatedAt,
        record.version,
        this.name,
        record.id,
      );
    }
    return [existing === undefined ? "inserted" : "updated", record];
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
    return this.#shared.run(() =>
      this.#shared.write(() => {
        const [, stored] = this.#write(input, "update", Date.now(), expectedVersion);
        // No copy needed: `input` holds validated copies of the caller's content and metadata,
        // and nothing else keeps the record, so the caller may mutate what it gets.
        return stored as StoredRecord;
      }),
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
      ) as Row | undefined;
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
      const row = this.#prepare(BY_KEY).get(this.name, naturalKey) as Row | undefined;
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
      const rows = this.#dynamicStatement(part).all(...part.params) as Row[];
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
