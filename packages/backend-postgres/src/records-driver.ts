import { BackendError } from "@core/protocols";
import {
  closedError,
  type NormalizedRecordInput,
  type RecordDriver,
  type SqlRecordExecutor,
  type SqlRecordWrites,
  sqlRecordCollection,
} from "@core/protocols/kit";
import { query, statement } from "./db.js";
import { BACKEND, toBackendError } from "./errors.js";
import { encodeKey } from "./keys.js";
import { batchStatements, writeBatch } from "./records-batch.js";
import { type Params, postgresRecordDialect } from "./records-dialect.js";
import { recordWrites } from "./records-sql.js";
import type { StoreShared } from "./shared.js";

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
 * The writes of one collection: rows of `records` with `ns = name` (`jsonb` content and
 * metadata, unique natural key), each write one statement (natural-key clashes surface as
 * 23505 → CONFLICT), batches set-based (records-batch.ts), sightings in `sightings` with
 * `sighting_keys` deciding "first time" atomically.
 */
function writes(shared: StoreShared, name: string, dialect: ReturnType<typeof postgresRecordDialect>): SqlRecordWrites {
  const sql = recordWrites(shared.quotedSchema);
  const batchSql = batchStatements(shared.quotedSchema);
  const batchSqlPreserved = batchStatements(shared.quotedSchema, true);
  const run = (what: string, text: string, params: unknown[]) =>
    query<Record<string, unknown>>(shared, `records.${what}`, text, [name, ...params]).then(({ rows }) => rows[0]);
  return {
    // Inline like `query()`: one promise chain, no async frames.
    store(input, expectedVersion) {
      const life = shared.lifecycle;
      if (life.closed) return Promise.reject(closedError(life.backend));
      const at = input.updatedAt ?? new Date();
      const params: unknown[] = [
        name,
        encodeKey(input.id),
        encodeKey(input.naturalKey),
        input.layer,
        input.content,
        input.metadata,
        at,
      ];
      const texts = input.createdAt === undefined ? sql : sql.preserved;
      if (input.createdAt !== undefined) params.push(input.createdAt);
      let text = texts.upsert;
      if (expectedVersion === 0) text = texts.insertNew;
      else if (expectedVersion !== undefined) {
        text = texts.updateVersion;
        params.push(expectedVersion);
      }
      let promise: Promise<{ rows: Record<string, unknown>[] }>;
      try {
        promise = shared.pool.query(statement(text, params));
      } catch (err) {
        return Promise.reject(toBackendError(err, "records.store"));
      }
      const stored = ({ rows: [row] }: { rows: Record<string, unknown>[] }) => {
        if (row !== undefined) return dialect.toRecord(row);
        throw conflict(
          `record ${JSON.stringify(input.id)} is not at version ${expectedVersion}; read it again and retry`,
        );
      };
      return life.track(
        promise.then(stored, (err: unknown) => {
          throw writeFailure(err, input);
        }),
      );
    },
    storeBatch: (inputs, onConflict) =>
      writeBatch(shared, inputs[0]?.createdAt === undefined ? batchSql : batchSqlPreserved, name, inputs, onConflict),
    recordSighting: (s) =>
      run("recordSighting", sql.recordSighting, [
        encodeKey(s.naturalKey),
        s.source,
        s.seenAt,
        s.metadata,
        s.contentHash,
      ]).then((row) => row?.first === true),
    clear: () => run("clear", sql.clear, []).then((row) => Number(row?.n ?? 0)),
  };
}

/**
 * The postgres backend's record driver (one schema, collections by `ns`): the kit's SQL
 * record collection over `postgresRecordDialect`, with postgres's own writes. Every
 * statement runs through `query` (in flight for `close()`, errors mapped).
 *
 * @example
 * ```ts
 * const feed = createRecordStore(postgresRecordDriver(shared), "feed");
 * ```
 */
export function postgresRecordDriver(shared: StoreShared): RecordDriver {
  const dialect = postgresRecordDialect(shared.quotedSchema);
  const run: SqlRecordExecutor<Params> = {
    // A statement with an array operand runs unprepared (see Params.preparable).
    all: (what, text, values, p) =>
      query<Record<string, unknown>>(shared, `records.${what}`, text, values, p?.preparable ?? true).then(
        (r) => r.rows,
      ),
    changes: (what, text, values) => query(shared, `records.${what}`, text, values).then((r) => r.rowCount ?? 0),
  };
  const collection = (name: string) => sqlRecordCollection(dialect, run, name, writes(shared, name, dialect));
  return { backend: BACKEND, lifecycle: shared.lifecycle, toError: toBackendError, collection };
}
