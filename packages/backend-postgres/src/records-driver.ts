import type * as R from "@core/protocols";
import { BackendError } from "@core/protocols";
import type {
  NormalizedCountQuery,
  NormalizedQuery,
  NormalizedRecordInput,
  NormalizedSightingInput,
  RecordCollectionDriver,
  RecordDriver,
} from "@core/protocols/kit";
import { closedError, encodeCursor, whereSql } from "@core/protocols/kit";
import { query, statement } from "./db.js";
import { BACKEND, toBackendError } from "./errors.js";
import { decodeKey, encodeKey } from "./keys.js";
import { batchStatements, writeBatch } from "./records-batch.js";
import { Params, postgresRecordDialect } from "./records-dialect.js";
import { afterSql, orderSql } from "./records-filter.js";
import { recordStatements } from "./records-sql.js";
import type { StoreShared } from "./shared.js";

interface RecordRow {
  id: string;
  natural_key: string;
  layer: R.Layer;
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  version: number;
  inserted?: boolean;
}

function toRecord(row: RecordRow): R.StoredRecord {
  return {
    id: decodeKey(row.id),
    naturalKey: decodeKey(row.natural_key),
    layer: row.layer,
    content: row.content,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

function firstRecord(result: { rows: RecordRow[] }): R.StoredRecord | null {
  const row = result.rows[0];
  return row ? toRecord(row) : null;
}

function conflict(message: string, cause?: unknown): BackendError {
  return new BackendError("CONFLICT", `[${BACKEND}] ${message}`, { backend: BACKEND, cause });
}

// A failed single write: a unique violation says which key clashed, the rest maps as usual.
function writeFailure(err: unknown, input: NormalizedRecordInput): BackendError {
  const e = err as { code?: string; constraint?: string };
  if (e.code !== "23505") return toBackendError(err, "records.store");
  const which = e.constraint?.endsWith("pkey")
    ? `record ${JSON.stringify(input.id)} already exists`
    : `naturalKey ${JSON.stringify(input.naturalKey)} already belongs to another record`;
  return conflict(which, err);
}

/**
 * The records of one collection: rows of `records` with `ns = name` (`jsonb` content and
 * metadata, unique natural key), sightings in `sightings` with `sighting_keys` deciding
 * "first time" atomically. Queries are compiled to parameterised SQL. Every statement
 * runs through `query` (in flight for `close()`, errors mapped).
 */
class PostgresRecords implements RecordCollectionDriver {
  readonly #shared: StoreShared;
  readonly #name: string;
  readonly #sql: ReturnType<typeof recordStatements>;
  readonly #batchSql: ReturnType<typeof batchStatements>;
  readonly #batchSqlPreserved: ReturnType<typeof batchStatements>;

  constructor(shared: StoreShared, name: string) {
    this.#shared = shared;
    this.#name = name;
    this.#sql = recordStatements(shared.quotedSchema);
    this.#batchSql = batchStatements(shared.quotedSchema);
    this.#batchSqlPreserved = batchStatements(shared.quotedSchema, true);
  }

  #q(what: string, text: string, params: unknown[]) {
    return query<RecordRow & Record<string, unknown>>(this.#shared, `records.${what}`, text, [this.#name, ...params]);
  }

  // One record's write in one statement; natural-key clashes surface as 23505 → CONFLICT
  // with a clear message. Inline like `query()`: one promise chain, no async frames.
  store(input: NormalizedRecordInput, expectedVersion: number | undefined): Promise<R.StoredRecord> {
    const life = this.#shared.lifecycle;
    if (life.closed) return Promise.reject(closedError(life.backend));
    const params: unknown[] = [
      this.#name,
      encodeKey(input.id),
      encodeKey(input.naturalKey),
      input.layer,
      input.content,
      input.metadata,
      input.updatedAt ?? new Date(),
    ];
    const sql = input.createdAt === undefined ? this.#sql : this.#sql.preserved;
    if (input.createdAt !== undefined) params.push(input.createdAt);
    let text: string;
    if (expectedVersion === 0) text = sql.insertNew;
    else if (expectedVersion !== undefined) text = sql.updateVersion;
    else text = sql.upsert;
    if (expectedVersion !== undefined && expectedVersion > 0) params.push(expectedVersion);
    let promise: Promise<{ rows: RecordRow[] }>;
    try {
      promise = this.#shared.pool.query<RecordRow>(statement(text, params));
    } catch (err) {
      return Promise.reject(toBackendError(err, "records.store"));
    }
    return life.track(
      promise.then(
        ({ rows }) => {
          const row = rows[0];
          if (!row) {
            throw conflict(
              `record ${JSON.stringify(input.id)} is not at version ${expectedVersion}; read it again and retry`,
            );
          }
          return toRecord(row);
        },
        (err: unknown) => {
          throw writeFailure(err, input);
        },
      ),
    );
  }

  storeBatch(inputs: NormalizedRecordInput[], onConflict: R.OnConflict): Promise<R.StoreBatchResult> {
    const sql = inputs[0]?.createdAt === undefined ? this.#batchSql : this.#batchSqlPreserved;
    return writeBatch(this.#shared, sql, this.#name, inputs, onConflict);
  }

  get(id: string, layer: R.Layer | undefined): Promise<R.StoredRecord | null> {
    return query<RecordRow & Record<string, unknown>>(this.#shared, "records.get", this.#sql.get, [
      this.#name,
      encodeKey(id),
      layer ?? null,
    ]).then(firstRecord);
  }

  async getByNaturalKey(naturalKey: string): Promise<R.StoredRecord | null> {
    const { rows } = await this.#q("getByNaturalKey", this.#sql.getByNaturalKey, [encodeKey(naturalKey)]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async exists(id: string, layer: R.Layer | undefined): Promise<boolean> {
    const { rowCount } = await this.#q("exists", this.#sql.exists, [encodeKey(id), layer ?? null]);
    return (rowCount ?? 0) > 0;
  }

  async existsByNaturalKey(naturalKey: string): Promise<boolean> {
    const { rowCount } = await this.#q("existsByNaturalKey", this.#sql.existsByNaturalKey, [encodeKey(naturalKey)]);
    return (rowCount ?? 0) > 0;
  }

  async delete(id: string, layer: R.Layer | undefined): Promise<boolean> {
    const { rowCount } = await this.#q("delete", this.#sql.delete, [encodeKey(id), layer ?? null]);
    return (rowCount ?? 0) > 0;
  }

  async queryPage(nq: NormalizedQuery): Promise<R.RecordPage> {
    const p = new Params();
    let where = whereSql(postgresRecordDialect, p, this.#name, nq.layer, nq.conditions);
    if (nq.after) where += ` AND ${afterSql(p, nq.ordering, nq.after)}`;
    const order = orderSql(p, nq.ordering);
    const text = `SELECT r.* FROM ${this.#shared.quotedSchema}.records r WHERE ${where} ORDER BY ${order} LIMIT ${p.add(nq.limit + 1)} OFFSET ${p.add(nq.offset)}`;
    const { rows } = await query<RecordRow>(this.#shared, "records.query", text, p.values, p.preparable);
    const records = rows.slice(0, nq.limit).map(toRecord);
    const last = records[records.length - 1];
    return { records, next: rows.length > nq.limit && last ? encodeCursor(nq.ordering, last) : null };
  }

  async count(nq: NormalizedCountQuery): Promise<number> {
    const p = new Params();
    const where = whereSql(postgresRecordDialect, p, this.#name, nq.layer, nq.conditions);
    const text = `SELECT count(*) AS n FROM ${this.#shared.quotedSchema}.records r WHERE ${where}`;
    const { rows } = await query<{ n: string }>(this.#shared, "records.count", text, p.values, p.preparable);
    return Number(rows[0]?.n ?? 0);
  }

  async recordSighting(s: NormalizedSightingInput): Promise<boolean> {
    const { rows } = await this.#q("recordSighting", this.#sql.recordSighting, [
      encodeKey(s.naturalKey),
      s.source,
      s.seenAt,
      s.metadata,
      s.contentHash,
    ]);
    return rows[0]?.first === true;
  }

  async getSightings(naturalKey: string): Promise<R.Sighting[]> {
    const { rows } = await this.#q("getSightings", this.#sql.getSightings, [encodeKey(naturalKey)]);
    return rows.map((r) => ({
      naturalKey: decodeKey(r.natural_key as string),
      source: r.source as string,
      seenAt: r.seen_at as Date,
      metadata: r.metadata as Record<string, unknown>,
      contentHash: (r.content_hash as string | null) ?? null,
    }));
  }

  async clear(): Promise<number> {
    const { rows } = await this.#q("clear", this.#sql.clear, []);
    return Number(rows[0]?.n ?? 0);
  }
}

/**
 * The postgres backend's record driver (one schema, collections by `ns`).
 *
 * @example
 * ```ts
 * const feed = createRecordStore(postgresRecordDriver(shared), "feed");
 * ```
 */
export function postgresRecordDriver(shared: StoreShared): RecordDriver {
  const collection = (name: string) => new PostgresRecords(shared, name);
  return { backend: BACKEND, lifecycle: shared.lifecycle, toError: toBackendError, collection };
}
