import { BackendError, type OnConflict, type StoreBatchResult } from "@core/protocols";
import type { NormalizedRecordInput } from "@core/protocols/kit";
import { query, statement, transaction } from "./db.js";
import { BACKEND } from "./errors.js";
import { decodeKey, encodeKey } from "./keys.js";
import type { StoreShared } from "./shared.js";

/**
 * The three set-based batch statements of one schema: `$1` collection, `$2…$6` parallel
 * `text[]` arrays (id, naturalKey, layer, content JSON, metadata JSON), `$7` the batch's
 * timestamp — or, with `preserved` (caller-given timestamps), `$7` and `$8` parallel
 * `timestamptz[]` arrays of createdAt and updatedAt, stored as given. Rows are inserted in
 * array order (`ORDER BY ord`), and PostgreSQL checks
 * the (non-deferrable) unique indexes row by row, so one statement behaves exactly like
 * the same writes issued one after another: a record may free a natural key that a later
 * record takes, and a later record clashing with an earlier one fails.
 *
 * @example
 * ```ts
 * const sql = batchStatements('"core"');
 * await pool.query(sql.update, [ns, ids, keys, layers, contents, metadatas, now]);
 * ```
 */
export function batchStatements(schema: string, preserved = false): Record<OnConflict, string> {
  const times = preserved ? "u.created, u.updated" : "$7::timestamptz, $7::timestamptz";
  const arrays = preserved ? ", $7::timestamptz[], $8::timestamptz[]" : "";
  const named = preserved ? ", created, updated" : "";
  const insert = `INSERT INTO ${schema}.records AS r
      (ns, id, natural_key, layer, content, metadata, created_at, updated_at, version)
    SELECT $1, u.id, u.nk, u.layer, u.content::jsonb, u.metadata::jsonb, ${times}, 1
    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]${arrays})
      WITH ORDINALITY AS u(id, nk, layer, content, metadata${named}, ord)
    ORDER BY u.ord`;
  // updatedAt never goes backwards, even if a client's clock does (unless the caller owns it).
  const setTimes = preserved
    ? "created_at = excluded.created_at, updated_at = excluded.updated_at"
    : "updated_at = greatest(r.updated_at, excluded.updated_at)";
  return {
    // Any clash (existing id, taken natural key, an id repeated in the batch) is 23505.
    error: insert,
    // DO NOTHING without a target also skips rows clashing with rows inserted earlier in
    // the same statement, like the sequential writes would.
    skip: `${insert} ON CONFLICT DO NOTHING`,
    // ON CONFLICT DO UPDATE cannot touch one row twice in a statement: callers split
    // repeated ids (see below).
    update: `${insert}
    ON CONFLICT (ns, id) DO UPDATE SET natural_key = excluded.natural_key, layer = excluded.layer,
      content = excluded.content, metadata = excluded.metadata,
      ${setTimes}, version = r.version + 1
    RETURNING (r.xmax = 0) AS inserted`,
  };
}

/**
 * Splits a batch into consecutive runs in which no id repeats (one `ON CONFLICT DO UPDATE`
 * statement per run). A batch without repeated ids is one run.
 *
 * @example
 * ```ts
 * segments([{ id: "a" }, { id: "b" }, { id: "a" }]); // [[a, b], [a]]
 * ```
 */
export function segments<T extends { id: string }>(inputs: readonly T[]): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let ids = new Set<string>();
  for (const input of inputs) {
    if (ids.has(input.id)) {
      runs.push(run);
      run = [];
      ids = new Set();
    }
    ids.add(input.id);
    run.push(input);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function columns(name: string, inputs: readonly NormalizedRecordInput[], now: Date): unknown[] {
  const values: unknown[] = [
    name,
    inputs.map((r) => encodeKey(r.id)),
    inputs.map((r) => encodeKey(r.naturalKey)),
    inputs.map((r) => r.layer),
    inputs.map((r) => JSON.stringify(r.content)),
    inputs.map((r) => JSON.stringify(r.metadata)),
  ];
  // preserveTimestamps applies to the whole batch: either every input has them or none.
  if (inputs[0]?.createdAt === undefined) values.push(now);
  else
    values.push(
      inputs.map((r) => r.createdAt),
      inputs.map((r) => r.updatedAt),
    );
  return values;
}

/**
 * A unique violation (23505, mapped to CONFLICT) as the CONFLICT that names the clashing
 * key, read from the server's detail; any other error is returned as it is.
 *
 * @example
 * ```ts
 * promise.catch((err) => { throw keyConflict(err, "feed", "store"); });
 * ```
 */
export function keyConflict(err: unknown, name: string, operation: "store" | "storeBatch"): unknown {
  const e = (err as { cause?: { code?: string; constraint?: string; detail?: string } }).cause;
  if (!BackendError.is(err, "CONFLICT") || e?.code !== "23505") return err;
  const isId = e.constraint?.endsWith("pkey") === true;
  const prefix = `Key (ns, ${isId ? "id" : "natural_key"})=(${name}, `;
  const suffix = ") already exists.";
  let key = "";
  if (e.detail?.startsWith(prefix) && e.detail.endsWith(suffix)) {
    key = ` ${JSON.stringify(decodeKey(e.detail.slice(prefix.length, -suffix.length)))}`;
  }
  const repeated = operation === "storeBatch" ? " (or is repeated in the batch)" : "";
  const message = isId
    ? `record${key} already exists${repeated}`
    : `naturalKey${key} already belongs to another record`;
  return new BackendError("CONFLICT", `[${BACKEND}] ${operation}: ${message}`, { backend: BACKEND, cause: e });
}

/**
 * Writes a validated batch in as few statements as its content allows, with the
 * semantics of writing the records one by one, in order, in one transaction:
 *
 * - `error` and `skip`: always one statement (one round trip, atomic on its own).
 * - `update`: one statement per run without a repeated id — one for the usual batch;
 *   several runs are wrapped in a transaction.
 *
 * @example
 * ```ts
 * const counts = await writeBatch(shared, batchStatements('"core"'), "feed", inputs, "update");
 * ```
 */
export async function writeBatch(
  shared: StoreShared,
  sql: Record<OnConflict, string>,
  name: string,
  inputs: readonly NormalizedRecordInput[],
  onConflict: OnConflict,
): Promise<StoreBatchResult> {
  const now = new Date();
  const result: StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
  const runs = onConflict === "update" ? segments(inputs) : [inputs as NormalizedRecordInput[]];
  type Result = { rows: { inserted?: boolean }[]; rowCount: number | null };
  const each = async (send: (text: string, values: unknown[]) => Promise<Result>) => {
    for (const run of runs) {
      const { rows, rowCount } = await send(sql[onConflict], columns(name, run, now));
      if (onConflict === "update") for (const row of rows) result[row.inserted ? "inserted" : "updated"] += 1;
      else {
        result.inserted += rowCount ?? 0;
        result.skipped += run.length - (rowCount ?? 0);
      }
    }
  };
  try {
    if (runs.length === 1) await each((text, values) => query(shared, "records.storeBatch", text, values));
    else
      await transaction(shared, "records.storeBatch", (client) =>
        each((text, values) => client.query(statement(text, values))),
      );
  } catch (err) {
    throw keyConflict(err, name, "storeBatch");
  }
  return result;
}
