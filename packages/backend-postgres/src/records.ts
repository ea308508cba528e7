import {
  assertKey,
  assertName,
  BackendError,
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
import type { PoolClient } from "pg";
import { query, statement } from "./db.js";
import { BACKEND, guard } from "./errors.js";
import { decodeKey, encodeKey } from "./keys.js";
import { batchStatements, writeBatch } from "./records-batch.js";
import { afterSql, orderSql, Params, whereSql } from "./records-filter.js";
import { recordStatements } from "./records-sql.js";
import type { StoreShared } from "./shared.js";

interface RecordRow {
  id: string;
  natural_key: string;
  layer: Layer;
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  version: number;
  inserted?: boolean;
}

function toRecord(row: RecordRow): StoredRecord {
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

function conflict(message: string, cause?: unknown): BackendError {
  return new BackendError("CONFLICT", `[${BACKEND}] ${message}`, { backend: BACKEND, cause });
}

type Outcome = "inserted" | "updated" | "skipped";
type Runner = Pick<PoolClient, "query">;

/**
 * Opens a record collection: rows of `records` with `ns = name` (`jsonb` content and
 * metadata, unique natural key), sightings in `sightings` with `sighting_keys` deciding
 * "first time" atomically. Queries are compiled to parameterised SQL.
 *
 * @example
 * ```ts
 * const feed = createPostgresRecordStore(shared, "feed");
 * await feed.store({ id: "1", naturalKey: "url:1", content: { title: "Hi" } });
 * ```
 */
export function createPostgresRecordStore(
  shared: StoreShared,
  name: string,
  options?: RecordStoreOptions,
): RecordStore {
  assertName(BACKEND, name, "collection name");
  const { maxLimit } = normalizeRecordStoreOptions(BACKEND, options);
  return new PostgresRecordStore(shared, name, maxLimit);
}

class PostgresRecordStore implements RecordStore {
  readonly name: string;
  readonly #shared: StoreShared;
  readonly #maxLimit: number;
  readonly #sql: ReturnType<typeof recordStatements>;
  readonly #batchSql: ReturnType<typeof batchStatements>;

  constructor(shared: StoreShared, name: string, maxLimit: number) {
    this.name = name;
    this.#shared = shared;
    this.#maxLimit = maxLimit;
    this.#sql = recordStatements(shared.quotedSchema);
    this.#batchSql = batchStatements(shared.quotedSchema);
  }

  #q(what: string, text: string, params: unknown[]) {
    return query<RecordRow & Record<string, unknown>>(this.#shared, `records.${what}`, text, [this.name, ...params]);
  }

  // One record's write; natural-key clashes surface as 23505 → CONFLICT with a clear message.
  async #write(
    db: Runner,
    input: NormalizedRecordInput,
    onConflict: OnConflict,
    now: Date,
    expectedVersion?: number,
  ): Promise<[Outcome, RecordRow | undefined]> {
    const params = [
      this.name,
      encodeKey(input.id),
      encodeKey(input.naturalKey),
      input.layer,
      input.content,
      input.metadata,
      now,
    ];
    let text: string;
    if (expectedVersion === 0) text = this.#sql.insertNew;
    else if (expectedVersion !== undefined) text = this.#sql.updateVersion;
    else if (onConflict === "skip") text = this.#sql.insertSkip;
    else if (onConflict === "error") text = this.#sql.insertNew;
    else text = this.#sql.upsert;
    if (expectedVersion !== undefined && expectedVersion > 0) params.push(expectedVersion as never);
    let rows: RecordRow[];
    try {
      ({ rows } = await db.query<RecordRow>(statement(text, params)));
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === "23505") {
        const which = e.constraint?.endsWith("pkey")
          ? `record ${JSON.stringify(input.id)} already exists`
          : `naturalKey ${JSON.stringify(input.naturalKey)} already belongs to another record`;
        throw conflict(which, err);
      }
      throw err;
    }
    const row = rows[0];
    if (!row) {
      if (expectedVersion !== undefined) {
        throw conflict(
          `record ${JSON.stringify(input.id)} is not at version ${expectedVersion}; read it again and retry`,
        );
      }
      return ["skipped", undefined];
    }
    return [row.inserted ? "inserted" : "updated", row];
  }

  async store(record: RecordInput, options?: { expectedVersion?: number }): Promise<StoredRecord> {
    this.#shared.lifecycle.assertOpen();
    const input = validateRecordInput(BACKEND, record);
    const { expectedVersion } = validateStoreOptions(BACKEND, options);
    const [, row] = await this.#shared.lifecycle.run(() =>
      guard("records.store", () => this.#write(this.#shared.pool, input, "update", new Date(), expectedVersion)),
    );
    return toRecord(row as RecordRow);
  }

  async storeBatch(records: readonly RecordInput[], options?: { onConflict?: OnConflict }): Promise<StoreBatchResult> {
    this.#shared.lifecycle.assertOpen();
    const inputs = validateRecordBatch(BACKEND, records);
    const { onConflict } = validateBatchOptions(BACKEND, options);
    if (inputs.length === 0) return { inserted: 0, updated: 0, skipped: 0 };
    return writeBatch(this.#shared, this.#batchSql, this.name, inputs, onConflict);
  }

  async get(id: string, layer?: Layer): Promise<StoredRecord | null> {
    this.#shared.lifecycle.assertOpen();
    assertKey(BACKEND, id);
    const wanted = normalizeLayer(BACKEND, layer) ?? null;
    const { rows } = await this.#q("get", this.#sql.get, [encodeKey(id), wanted]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async getByNaturalKey(naturalKey: string): Promise<StoredRecord | null> {
    this.#shared.lifecycle.assertOpen();
    assertKey(BACKEND, naturalKey);
    const { rows } = await this.#q("getByNaturalKey", this.#sql.getByNaturalKey, [encodeKey(naturalKey)]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async exists(id: string, layer?: Layer): Promise<boolean> {
    this.#shared.lifecycle.assertOpen();
    assertKey(BACKEND, id);
    const wanted = normalizeLayer(BACKEND, layer) ?? null;
    const { rowCount } = await this.#q("exists", this.#sql.exists, [encodeKey(id), wanted]);
    return (rowCount ?? 0) > 0;
  }

  async existsByNaturalKey(naturalKey: string): Promise<boolean> {
    this.#shared.lifecycle.assertOpen();
    assertKey(BACKEND, naturalKey);
    const { rowCount } = await this.#q("existsByNaturalKey", this.#sql.existsByNaturalKey, [encodeKey(naturalKey)]);
    return (rowCount ?? 0) > 0;
  }

  async delete(id: string, layer?: Layer): Promise<boolean> {
    this.#shared.lifecycle.assertOpen();
    assertKey(BACKEND, id);
    const wanted = normalizeLayer(BACKEND, layer) ?? null;
    const { rowCount } = await this.#q("delete", this.#sql.delete, [encodeKey(id), wanted]);
    return (rowCount ?? 0) > 0;
  }

  async *query(q?: RecordQuery): AsyncIterable<StoredRecord> {
    const page = await this.queryPage(q);
    yield* page.records;
  }

  async queryPage(q?: RecordQuery): Promise<RecordPage> {
    this.#shared.lifecycle.assertOpen();
    const nq = normalizeQuery(BACKEND, q, this.#maxLimit);
    const p = new Params();
    let where = whereSql(p, this.name, nq.layer, nq.conditions);
    if (nq.after) where += ` AND ${afterSql(p, nq.ordering, nq.after)}`;
    const order = orderSql(p, nq.ordering);
    const text = `SELECT r.* FROM ${this.#shared.quotedSchema}.records r WHERE ${where} ORDER BY ${order} LIMIT ${p.add(nq.limit + 1)} OFFSET ${p.add(nq.offset)}`;
    const { rows } = await query<RecordRow>(this.#shared, "records.query", text, p.values, p.preparable);
    const records = rows.slice(0, nq.limit).map(toRecord);
    const last = records[records.length - 1];
    return { records, next: rows.length > nq.limit && last ? encodeCursor(nq.ordering, last) : null };
  }

  async count(q?: Pick<RecordQuery, "layer" | "where">): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    const nq = normalizeCountQuery(BACKEND, q);
    const p = new Params();
    const where = whereSql(p, this.name, nq.layer, nq.conditions);
    const text = `SELECT count(*) AS n FROM ${this.#shared.quotedSchema}.records r WHERE ${where}`;
    const { rows } = await query<{ n: string }>(this.#shared, "records.count", text, p.values, p.preparable);
    return Number(rows[0]?.n ?? 0);
  }

  async recordSighting(sighting: SightingInput): Promise<boolean> {
    this.#shared.lifecycle.assertOpen();
    const s = validateSightingInput(BACKEND, sighting);
    const { rows } = await this.#q("recordSighting", this.#sql.recordSighting, [
      encodeKey(s.naturalKey),
      s.source,
      s.seenAt,
      s.metadata,
      s.contentHash,
    ]);
    return rows[0]?.first === true;
  }

  async getSightings(naturalKey: string): Promise<Sighting[]> {
    this.#shared.lifecycle.assertOpen();
    assertKey(BACKEND, naturalKey);
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
    this.#shared.lifecycle.assertOpen();
    const { rows } = await this.#q("clear", this.#sql.clear, []);
    return Number(rows[0]?.n ?? 0);
  }
}
