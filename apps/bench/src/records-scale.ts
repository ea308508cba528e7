/**
 * Records at scale: page and count costs at growing collection sizes, per backend.
 * Not part of `pnpm test` or the main bench run (a million records takes minutes):
 *
 *   pnpm --filter @core/bench build && pnpm --filter @core/bench records-scale [backends] [sizes]
 *   e.g. `records-scale postgres,sqlite,redis 1000,100000,1000000`
 *
 * One collection per backend grows through the sizes (filled with storeBatch of 1,000:
 * a third per layer, 1% with content.tag "rare"); at each size every query runs a few
 * times and the median is printed. Everything it wrote is removed at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openPostgresBackend } from "@core/backend-postgres";
import { openRedisBackend } from "@core/backend-redis";
import { openSqliteBackend } from "@core/backend-sqlite";
import type { Backend, RecordInput, RecordStore } from "@core/protocols";
import pg from "pg";

const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const LAYERS = ["bronze", "silver", "gold"] as const;
const BATCH = 1000;
const RUNS = 9;

/** The measured calls: name → one call on the store. */
const QUERIES: [string, (s: RecordStore) => Promise<unknown>][] = [
  ['page { layer: "gold" }', (s) => s.queryPage({ layer: "gold", limit: 100 })],
  ['page { orderBy: "-createdAt" }', (s) => s.queryPage({ orderBy: "-createdAt", limit: 100 })],
  [
    'page { layer: "gold", orderBy: "-updatedAt" }',
    (s) => s.queryPage({ layer: "gold", orderBy: "-updatedAt", limit: 100 }),
  ],
  ['page { orderBy: "naturalKey" }', (s) => s.queryPage({ orderBy: "naturalKey", limit: 100 })],
  [
    'page { where: { "content.tag": "rare" } } (1%)',
    (s) => s.queryPage({ where: { "content.tag": "rare" }, limit: 100 }),
  ],
  ['count({ layer: "gold" })', (s) => s.count({ layer: "gold" })],
  ['count({ where: { "content.tag": "rare" } })', (s) => s.count({ where: { "content.tag": "rare" } })],
];

interface Opened {
  backend: Backend;
  cleanup(): Promise<void>;
}

async function open(name: string): Promise<Opened> {
  const tag = `scale_${process.pid}`;
  if (name === "postgres") {
    const backend = await openPostgresBackend({ connectionString: POSTGRES_URL, schema: tag });
    return {
      backend,
      async cleanup() {
        await backend.close();
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${tag}" CASCADE`);
        await client.end();
      },
    };
  }
  if (name === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "records-scale-"));
    const backend = await openSqliteBackend({ path: join(dir, "scale.db") });
    return {
      backend,
      async cleanup() {
        await backend.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (name === "redis") {
    const backend = await openRedisBackend({ url: REDIS_URL, prefix: tag });
    return {
      backend,
      async cleanup() {
        await backend.records("scale").clear();
        await backend.close();
      },
    };
  }
  throw new Error(`unknown backend ${name}; use postgres, sqlite or redis`);
}

function record(i: number): RecordInput {
  return {
    id: `r${String(i).padStart(8, "0")}`,
    naturalKey: `k${((i * 2654435761) % 4294967296).toString(36)}-${i}`,
    layer: LAYERS[i % 3],
    content: { tag: i % 100 === 0 ? "rare" : "common", i, title: `record number ${i}` },
  };
}

async function fill(store: RecordStore, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += BATCH) {
    const batch: RecordInput[] = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++) batch.push(record(i));
    await store.storeBatch(batch);
  }
}

async function median(call: () => Promise<unknown>): Promise<number> {
  await call();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await call();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] as number;
}

async function main(): Promise<void> {
  const backends = (process.argv[2] ?? "postgres,sqlite,redis").split(",");
  const sizes = (process.argv[3] ?? "1000,100000,1000000").split(",").map(Number);
  console.log(`| backend | size | ${QUERIES.map(([q]) => q).join(" | ")} | fill s |`);
  console.log(`|---|---:|${QUERIES.map(() => "---:").join("|")}|---:|`);
  for (const name of backends) {
    const { backend, cleanup } = await open(name);
    try {
      const store = backend.records("scale");
      let filled = 0;
      for (const size of sizes) {
        const t = performance.now();
        await fill(store, filled, size);
        const fillSeconds = (performance.now() - t) / 1000;
        filled = size;
        const cells: string[] = [];
        for (const [, call] of QUERIES) cells.push((await median(() => call(store))).toFixed(2));
        console.log(`| ${name} | ${size.toLocaleString("en")} | ${cells.join(" | ")} | ${fillSeconds.toFixed(1)} |`);
      }
    } finally {
      await cleanup();
    }
  }
}

await main();
