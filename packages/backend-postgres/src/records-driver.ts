import { BackendError } from "@core/protocols";
import {
  type RecordDriver,
  type SqlRecordExecutor,
  type SqlRecordWrites,
  sqlRecordCollection,
} from "@core/protocols/kit";
import { query } from "./db.js";
import { BACKEND, toBackendError } from "./errors.js";
import { encodeKey } from "./keys.js";
import { batchStatements, keyConflict, writeBatch } from "./records-batch.js";
import { type Params, postgresRecordDialect } from "./records-dialect.js";
import { recordWrites } from "./records-sql.js";
import type { StoreShared } from "./shared.js";

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
    store(input, expectedVersion) {
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
      return query(shared, "records.store", text, params).then(
        ({ rows: [row] }) => {
          if (row !== undefined) return dialect.toRecord(row);
          const message = `record ${JSON.stringify(input.id)} is not at version ${expectedVersion}; read it again and retry`;
          throw new BackendError("CONFLICT", `[${BACKEND}] ${message}`, { backend: BACKEND });
        },
        (err: unknown) => {
          throw keyConflict(err, name, "store");
        },
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
  // A statement with an array operand runs unprepared (see Params.preparable).
  const rows = (what: string, text: string, values: unknown[], p?: Params) =>
    query<Record<string, unknown>>(shared, `records.${what}`, text, values, p?.preparable ?? true);
  const run: SqlRecordExecutor<Params> = {
    all: (what, text, values, p) => rows(what, text, values, p).then((r) => r.rows),
    first: (what, text, values, p) => rows(what, text, values, p).then((r) => r.rows[0]),
    changes: (what, text, values) => query(shared, `records.${what}`, text, values).then((r) => r.rowCount ?? 0),
  };
  const collection = (name: string) => sqlRecordCollection(dialect, run, name, writes(shared, name, dialect));
  return { backend: BACKEND, lifecycle: shared.lifecycle, toError: toBackendError, collection };
}
