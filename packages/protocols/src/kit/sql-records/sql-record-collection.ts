import { encodeCursor } from "../../cursor.js";
import type { RecordPage } from "../../records.js";
import type { MaybePromise, RecordCollectionDriver } from "../records/record-driver.js";
import type { SqlParams } from "../sql-dialect/sql-params.js";
import { countSql, pageSql, recordStatements } from "./record-statements.js";
import type { SqlRecordDialect } from "./sql-record-dialect.js";

type Row = Record<string, unknown>;

/**
 * How the shared record statements reach one SQL connection. Either answer may be
 * synchronous (sqlite answers at once when its connection is free) or a promise.
 *
 * @example
 * ```ts
 * const run: SqlRecordExecutor = {
 *   all: (what, text, values) => db.prepare(text).all(...values),
 *   first: (what, text, values) => db.prepare(text).get(...values),
 *   changes: (what, text, values) => db.prepare(text).run(...values).changes,
 * };
 * ```
 */
export interface SqlRecordExecutor<P extends SqlParams = SqlParams> {
  /**
   * The rows of one statement (`what` names the operation for errors). `p` comes with a
   * statement planned from a query, whose texts vary: cache those apart from the fixed ones.
   */
  all(what: string, text: string, values: unknown[], p?: P): MaybePromise<Row[]>;
  /** The first row of one statement, or undefined (a lookup by key: no array of rows). */
  first(what: string, text: string, values: unknown[], p?: P): MaybePromise<Row | undefined>;
  /** Runs one statement; the number of rows it changed. */
  changes(what: string, text: string, values: unknown[]): MaybePromise<number>;
}

/** The hooks a SQL backend writes itself: writes and sightings follow its engine's strengths. */
export type SqlRecordWrites = Pick<RecordCollectionDriver, "store" | "storeBatch" | "recordSighting" | "clear">;

function then<T, U>(value: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

const found = (row: Row | undefined) => row !== undefined;

/**
 * A record collection over a SQL table: reads, deletes, pages and counts planned once
 * from the dialect (keyset cursors, every ordering an index can serve), run through the
 * backend's executor; the backend supplies its writes.
 *
 * @example
 * ```ts
 * const feed = sqlRecordCollection(sqliteRecordDialect, executor, "feed", writes);
 * ```
 */
export function sqlRecordCollection<P extends SqlParams>(
  d: SqlRecordDialect<P>,
  run: SqlRecordExecutor<P>,
  ns: string,
  writes: SqlRecordWrites,
): RecordCollectionDriver {
  const sql = recordStatements(d);
  const record = (row: Row | undefined) => (row === undefined ? null : d.toRecord(row));
  const byId = (what: string, id: string, layer: string | undefined, text: string, layered: string) =>
    layer === undefined ? run.first(what, text, [ns, d.key(id)]) : run.first(what, layered, [ns, d.key(id), layer]);
  return {
    store: (input, expectedVersion) => writes.store(input, expectedVersion),
    storeBatch: (inputs, onConflict) => writes.storeBatch(inputs, onConflict),
    recordSighting: (sighting) => writes.recordSighting(sighting),
    clear: () => writes.clear(),
    get: (id, layer) => then(byId("get", id, layer, sql.get, sql.getLayer), record),
    exists: (id, layer) => then(byId("exists", id, layer, sql.exists, sql.existsLayer), found),
    getByNaturalKey: (key) => then(run.first("getByNaturalKey", sql.getByNaturalKey, [ns, d.key(key)]), record),
    existsByNaturalKey: (key) => then(run.first("existsByNaturalKey", sql.existsByNaturalKey, [ns, d.key(key)]), found),
    delete(id, layer) {
      const changed =
        layer === undefined
          ? run.changes("delete", sql.delete, [ns, d.key(id)])
          : run.changes("delete", sql.deleteLayer, [ns, d.key(id), layer]);
      return then(changed, (n) => n > 0);
    },
    queryPage(query) {
      const { text, p } = pageSql(d, ns, query);
      return then(run.all("query", text, p.values, p), (rows): RecordPage => {
        const records = rows.slice(0, query.limit).map((row) => d.toRecord(row));
        const last = records.at(-1);
        return { records, next: rows.length > query.limit && last ? encodeCursor(query.ordering, last) : null };
      });
    },
    count(query) {
      const { text, p } = countSql(d, ns, query);
      return then(run.first("count", text, p.values, p), (row) => Number(row?.n ?? 0));
    },
    getSightings: (key) =>
      then(run.all("getSightings", sql.getSightings, [ns, d.key(key)]), (rows) => rows.map((r) => d.toSighting(r))),
  };
}
