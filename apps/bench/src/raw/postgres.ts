import pg from "pg";
import type { RawDriver, RawRecord } from "./types.js";

interface Row {
  id: string;
  natural_key: string;
  layer: string;
  content: unknown;
  metadata: unknown;
  created_at: Date;
  updated_at: Date;
  version: number;
}

// Content goes back to text so both sides hand the same shape to the scenario layer.
const toRecord = (r: Row): RawRecord => ({
  id: r.id,
  naturalKey: r.natural_key,
  layer: r.layer,
  content: JSON.stringify(r.content),
  metadata: JSON.stringify(r.metadata),
  createdAt: r.created_at.getTime(),
  updatedAt: r.updated_at.getTime(),
  version: r.version,
});

// One per built-in ordering, across layers and within one, plus the containment (GIN)
// indexes of equality filters: the same set as ours (natural-key uniqueness is on the table).
const RECORD_INDEXES: readonly (readonly [string, string])[] = [
  ["records_layer_id", "(layer, id)"],
  ["records_layer_natural_key", "(layer, natural_key)"],
  ["records_created", "(created_at, id)"],
  ["records_layer_created", "(layer, created_at, id)"],
  ["records_updated", "(updated_at, id)"],
  ["records_layer_updated", "(layer, updated_at, id)"],
  ["records_content", "using gin (content jsonb_path_ops)"],
  ["records_metadata", "using gin (metadata jsonb_path_ops)"],
];

const UPSERT_COLUMNS = `on conflict (id) do update set natural_key = excluded.natural_key, layer = excluded.layer,
  content = excluded.content, metadata = excluded.metadata, updated_at = excluded.updated_at, version = records.version + 1`;

/**
 * Baseline of the postgres backend: `pg.Pool` with named (prepared) statements in its own
 * schema, logged tables, batches as one `unnest` statement (one round trip), and the
 * same record indexes as ours.
 *
 * @example
 * ```ts
 * const raw = await openRawPostgres(url, "bench_raw_1", 10); // a pool of 10
 * ```
 */
export async function openRawPostgres(connectionString: string, schema: string, max = 4): Promise<RawDriver> {
  const pool = new pg.Pool({ connectionString, max });
  pool.on("error", () => {});
  const s = `"${schema}"`;
  await pool.query(`create schema if not exists ${s}`);
  await pool.query(`
    create table if not exists ${s}.cache (key text primary key, value text not null, expires_at timestamptz);
    create table if not exists ${s}.queue (off bigint primary key, value text not null, ts bigint not null);
    create table if not exists ${s}.queue_head (id int primary key, next bigint not null);
    create table if not exists ${s}.records (id text collate "C" primary key, natural_key text collate "C" not null unique, layer text not null,
      content jsonb not null, metadata jsonb not null, created_at timestamptz not null, updated_at timestamptz not null, version int not null);`);
  // The indexes our record store keeps (as in @core/backend-postgres's schema): a baseline
  // without them would skip index maintenance every write of ours pays.
  for (const [name, def] of RECORD_INDEXES)
    await pool.query(`create index if not exists ${name} on ${s}.records ${def}`);
  const q = async <R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]) =>
    (await pool.query<R>({ name, text, values })).rows;
  const live = (e: Date | null) => e === null || e.getTime() > Date.now();
  return {
    description: `pg.Pool (${max} connections), named prepared statements, batches as one \`unnest\` statement, queue offsets from a counter row (dense, as the contract requires), records with the same indexes as ours (natural-key unique, ${RECORD_INDEXES.length - 2} B-tree orderings, 2 GIN)`,
    cacheGet: async (key) => {
      const [row] = await q<{ value: string; expires_at: Date | null }>(
        "c_get",
        `select value, expires_at from ${s}.cache where key = $1`,
        [key],
      );
      return row && live(row.expires_at) ? row.value : undefined;
    },
    cacheGetMany: async (keys) => {
      const rows = await q<{ key: string; value: string; expires_at: Date | null }>(
        "c_getmany",
        `select key, value, expires_at from ${s}.cache where key = any($1)`,
        [keys],
      );
      const found = new Map(rows.filter((r) => live(r.expires_at)).map((r) => [r.key, r.value]));
      return keys.map((k) => found.get(k));
    },
    cacheSet: async (key, text) => {
      await q(
        "c_set",
        `insert into ${s}.cache (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value, expires_at = null`,
        [key, text],
      );
    },
    cacheSetMany: async (input) => {
      // One statement cannot update a row twice: the last write of a key wins, as in ours.
      const entries = [...new Map(input.map(([k, v]) => [k, v])).entries()];
      await q(
        "c_setmany",
        `insert into ${s}.cache (key, value) select * from unnest($1::text[], $2::text[]) on conflict (key) do update set value = excluded.value, expires_at = null`,
        [entries.map((e) => e[0]), entries.map((e) => e[1])],
      );
    },
    // Offsets from a counter row, not a sequence: a sequence leaves gaps and its order is
    // not commit order, so it cannot give the dense log the queue contract promises.
    queuePut: async (text) => {
      const [row] = await q<{ off: string }>(
        "q_put",
        `with c as (insert into ${s}.queue_head as h (id, next) values (1, 1)
           on conflict (id) do update set next = h.next + 1 returning h.next - 1 as off)
         insert into ${s}.queue (off, value, ts) select off, $1, $2 from c returning off`,
        [text, Date.now()],
      );
      return Number(row!.off);
    },
    queuePutBatch: async (texts) => {
      const [row] = await q<{ first: string }>(
        "q_putbatch",
        `with c as (insert into ${s}.queue_head as h (id, next) values (1, cardinality($1::text[]))
           on conflict (id) do update set next = h.next + cardinality($1::text[]) returning h.next - cardinality($1::text[]) as first),
         ins as (insert into ${s}.queue (off, value, ts) select c.first + t.n - 1, t.v, $2 from c, unnest($1::text[]) with ordinality as t(v, n))
         select first from c`,
        [texts, Date.now()],
      );
      return Number(row!.first);
    },
    queueGet: async (offset, limit) =>
      (
        await q<{ off: string; value: string; ts: string }>(
          "q_get",
          `select off, value, ts from ${s}.queue where off >= $1 order by off limit $2`,
          [offset, limit],
        )
      ).map((r) => ({ offset: Number(r.off), text: r.value, timestamp: Number(r.ts) })),
    recordStore: async (r) => {
      const [row] = await q<Row>(
        "r_store",
        `insert into ${s}.records values ($1, $2, $3, $4, $5, $6, $7, 1) ${UPSERT_COLUMNS} returning *`,
        [r.id, r.naturalKey, r.layer, r.content, r.metadata, new Date(r.createdAt), new Date(r.updatedAt)],
      );
      return toRecord(row!);
    },
    recordStoreBatch: async (rows) => {
      await q(
        "r_storebatch",
        `insert into ${s}.records select id, nk, layer, c::jsonb, m::jsonb, to_timestamp(ca / 1000.0), to_timestamp(ua / 1000.0), 1
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[]) as t(id, nk, layer, c, m, ca, ua) ${UPSERT_COLUMNS}`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.naturalKey),
          rows.map((r) => r.layer),
          rows.map((r) => r.content),
          rows.map((r) => r.metadata),
          rows.map((r) => r.createdAt),
          rows.map((r) => r.updatedAt),
        ],
      );
    },
    recordGet: async (id) => {
      const [row] = await q<Row>("r_get", `select * from ${s}.records where id = $1`, [id]);
      return row && toRecord(row);
    },
    recordQuery: async (afterId, limit) =>
      (afterId === null
        ? await q<Row>("r_first", `select * from ${s}.records order by id limit $1`, [limit])
        : await q<Row>("r_after", `select * from ${s}.records where id > $1 order by id limit $2`, [afterId, limit])
      ).map(toRecord),
    close: async () => {
      await pool.query(`drop schema if exists ${s} cascade`);
      await pool.end();
    },
  };
}
