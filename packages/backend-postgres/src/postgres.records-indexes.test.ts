import type { Layer, RecordQuery, RecordStore } from "@core/protocols";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openPostgresBackend } from "./index.js";
import { admin, dropSchema, POSTGRES_URL, requireServer, testSchema } from "./postgres.fixture.js";

// The planner must serve every built-in ordering's page from an index at a size where a
// sort of the collection would be the cheaper plan if the index were missing.
const ROWS = 100_000;
const NS = "scale";
const schema = testSchema();
await requireServer();

interface Captured {
  text: string;
  values: unknown[];
  /** The prepared statement's name; undefined when it ran unprepared. */
  name?: string;
}

// A real pool that keeps the last record query it sent, so the test explains exactly
// the statement the driver runs (text and parameters).
function capturingPool(): { pool: pg.Pool; last: { query?: Captured } } {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  const last: { query?: Captured } = {};
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const arg = args[0] as { text?: unknown; values?: unknown[]; name?: string } | string;
      if (typeof arg === "object" && typeof arg.text === "string" && /FROM\s+\S+\.records r/.test(arg.text)) {
        last.query = { text: arg.text, values: arg.values ?? [], name: arg.name };
      }
      return query(...args);
    }) as typeof client.query;
  });
  return { pool, last };
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  "Scan Direction"?: string;
  "Index Cond"?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function explain(q: Captured, mode: "force_custom_plan" | "force_generic_plan"): Promise<PlanNode[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`SET plan_cache_mode = ${mode}`);
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
    const plan = (rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan;
    return nodes(plan);
  } finally {
    await client.end();
  }
}

const { pool, last } = capturingPool();
let store: RecordStore;
let close: () => Promise<void>;

beforeAll(async () => {
  const backend = await openPostgresBackend({ pool, schema });
  close = () => backend.close();
  store = backend.records(NS);
  // Rows as storeBatch writes them: batches of 1,000 share createdAt and updatedAt, a
  // third per layer, 1% tagged "rare".
  await admin(
    `INSERT INTO "${schema}".records (ns, id, natural_key, layer, content, metadata, created_at, updated_at, version)
     SELECT $1, 'r' || lpad(i::text, 7, '0'), 'k' || md5(i::text), (ARRAY['bronze','silver','gold'])[i % 3 + 1],
       jsonb_build_object('tag', CASE WHEN i % 100 = 0 THEN 'rare' ELSE 'common' END, 'i', i), '{}'::jsonb,
       timestamptz '2026-01-01' + (i / 1000) * interval '1 second',
       timestamptz '2026-01-01' + (i / 1000) * interval '1 second', 1
     FROM generate_series(1, ${ROWS}) AS i`,
    [NS],
  );
  // VACUUM also moves the rows out of the GIN pending list, as autovacuum would by now.
  await admin(`VACUUM ANALYZE "${schema}".records`);
}, 120_000);

afterAll(async () => {
  await close?.();
  await pool.end();
  await dropSchema(schema);
});

const ORDERINGS = ["id", "naturalKey", "createdAt", "updatedAt"] as const;
const CASES = ORDERINGS.flatMap((field) =>
  [false, true].flatMap((descending) =>
    [undefined, "gold" as Layer].map((layer) => ({
      orderBy: `${descending ? "-" : ""}${field}` as RecordQuery["orderBy"],
      layer,
    })),
  ),
);

describe(`postgres records at ${ROWS.toLocaleString("en")} rows: the planner uses an index for every ordering`, () => {
  test.each(CASES)(
    "orderBy $orderBy, layer $layer: first and next page are index scans, never a sort",
    async ({ orderBy, layer }) => {
      const first = await store.queryPage({ orderBy, layer, limit: 100 });
      expect(first.records).toHaveLength(100);
      const firstQuery = last.query!;
      const second = await store.queryPage({ orderBy, layer, limit: 100, after: first.next! });
      expect(second.records).toHaveLength(100);
      const secondQuery = last.query!;
      expect(secondQuery).not.toBe(firstQuery);
      for (const q of [firstQuery, secondQuery]) {
        for (const mode of ["force_custom_plan", "force_generic_plan"] as const) {
          const plan = await explain(q, mode);
          const types = plan.map((n) => n["Node Type"]);
          expect(types, `${mode}: ${q.text}`).not.toContain("Sort");
          expect(types, `${mode}: ${q.text}`).not.toContain("Incremental Sort");
          expect(types, `${mode}: ${q.text}`).not.toContain("Seq Scan");
          const scans = plan.filter((n) => n["Node Type"] === "Index Scan" || n["Node Type"] === "Index Only Scan");
          expect(scans, `${mode}: ${q.text}`).toHaveLength(1);
          // Ties follow the direction: a descending page walks the ascending index backwards.
          expect(scans[0]!["Scan Direction"], `${mode}: ${q.text}`).toBe(
            orderBy!.startsWith("-") ? "Backward" : "Forward",
          );
          expect(scans[0]!["Index Name"], `${mode}: ${q.text}`).not.toMatch(/_desc$/);
        }
      }
      // A time ordering's next page starts where the cursor is, also inside a run of equal
      // timestamps (here 1,000 rows share each): the whole keyset condition is the index's
      // range, nothing is filtered after the seek.
      if (!/createdAt|updatedAt/.test(orderBy!)) return;
      for (const mode of ["force_custom_plan", "force_generic_plan"] as const) {
        const [scan] = (await explain(secondQuery, mode)).filter((n) => n["Node Type"].startsWith("Index"));
        expect(scan!.Filter, `${mode}: ${secondQuery.text}`).toBeUndefined();
        expect(scan!["Index Cond"], `${mode}: ${secondQuery.text}`).toMatch(/ROW\(/);
      }
    },
  );

  test("a schema made with the descending time indexes loses them on open", async () => {
    const old = testSchema();
    const first = await openPostgresBackend({ connectionString: POSTGRES_URL, schema: old });
    await first.close();
    for (const [name, cols] of [
      ["records_created_desc", "ns, created_at DESC, id"],
      ["records_layer_created_desc", "ns, layer, created_at DESC, id"],
      ["records_updated_desc", "ns, updated_at DESC, id"],
      ["records_layer_updated_desc", "ns, layer, updated_at DESC, id"],
    ]) {
      await admin(`CREATE INDEX ${name} ON "${old}".records (${cols})`);
    }
    const indexes = async () =>
      (await admin(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [old])).rows.map(
        (r: { indexname: string }) => r.indexname,
      );
    expect((await indexes()).filter((n: string) => n.endsWith("_desc"))).toHaveLength(4);
    const reopened = await openPostgresBackend({ connectionString: POSTGRES_URL, schema: old });
    await reopened.close();
    const after = await indexes();
    expect(after.filter((n: string) => n.endsWith("_desc"))).toEqual([]);
    expect(after).toContain("records_layer_created");
    await dropSchema(old);
  });

  // With a single containment test the planner estimates a value from the column's
  // statistics; the exact test it used to carry as well made every value look rare (×0.5%).
  test("a page filtered by a common content value walks the ordering's index instead of sorting every match", async () => {
    for (const orderBy of ["id", "-createdAt"] as const) {
      const page = await store.queryPage({ where: { "content.tag": "common" }, orderBy, limit: 100 });
      expect(page.records).toHaveLength(100);
      expect(page.records.every((r) => r.content.tag === "common")).toBe(true);
      // Unprepared: how common the value is decides the plan, which a generic plan cannot see.
      expect(last.query!.name).toBeUndefined();
      const plan = await explain(last.query!, "force_custom_plan");
      const types = plan.map((n) => n["Node Type"]);
      expect(types, last.query!.text).not.toContain("Sort");
      expect(types, last.query!.text).not.toContain("Bitmap Heap Scan");
      expect(plan.find((n) => n["Node Type"] === "Index Scan")?.Filter).toMatch(/@>/);
    }
  });

  test("an equality filter on a rare content value uses the GIN index, and a count runs in the database", async () => {
    const page = await store.queryPage({ where: { "content.i": 4242 }, limit: 100 });
    expect(page.records.map((r) => r.content.i)).toEqual([4242]);
    const plan = await explain(last.query!, "force_custom_plan");
    expect(plan.map((n) => n["Index Name"])).toContain("records_content");

    expect(await store.count({ where: { "content.tag": "rare" } })).toBe(ROWS / 100);
    const counted = await explain(last.query!, "force_custom_plan");
    expect(counted.map((n) => n["Node Type"])).toContain("Aggregate");
    expect(counted.map((n) => n["Index Name"])).toContain("records_content");
    expect(await store.count({ layer: "gold", where: { "content.tag": "rare" } })).toBe(333);
  });
});
