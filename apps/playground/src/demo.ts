import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Backend,
  createPublisher,
  getOrSet,
  type RecordStore,
  type StoredRecord,
  sql,
  tieredCache,
} from "@core/protocols";
import { auditLog, registerAuditBackend } from "./audit-backend.js";
import { type BackendChoice, BackendPool, embeddedDefaults } from "./backends.js";
import { type FeedItem, generateFeed } from "./feed.js";
import { type Output, table } from "./output.js";
import { StepTimer } from "./timer.js";

/** Options of {@link runDemo}. */
export interface DemoOptions extends Partial<BackendChoice> {
  /** Feed items to push through the pipeline. Default 500. */
  items?: number;
}

/** What the demo counted; the CLI prints it and tests assert on it. */
export interface DemoSummary {
  queued: number;
  unique: number;
  duplicates: number;
  layers: Record<"bronze" | "silver" | "gold", number>;
  cache: { hits: number; misses: number };
  delivered: number;
  audited: number;
  report: { layer: string; records: number }[] | "not supported";
}

async function storeNew(records: RecordStore, items: FeedItem[]): Promise<{ unique: number; duplicates: number }> {
  let unique = 0;
  let duplicates = 0;
  for (const item of items) {
    const first = await records.recordSighting({ naturalKey: item.url, source: item.source, seenAt: item.fetchedAt });
    if (!first) {
      duplicates++;
      continue;
    }
    unique++;
    await records.store({
      id: `item-${unique}`,
      naturalKey: item.url,
      content: { title: item.title, body: item.body, source: item.source },
    });
  }
  return { unique, duplicates };
}

// Layer moves go through `promote` (atomic, one version bump); `expectedVersion` makes a
// record changed since this pass read it fail loudly instead of being moved unseen.
async function promote(records: RecordStore): Promise<void> {
  for await (const r of records.query({ layer: "bronze", limit: 10_000 })) {
    if (typeof r.content.title !== "string" || r.content.title === "") continue; // fails validation
    await records.promote(r.id, "silver", { expectedVersion: r.version });
  }
  for await (const r of records.query({ layer: "silver", limit: 10_000 })) {
    const words = String(r.content.body).split(" ").length;
    const enriched = await records.store(
      {
        id: r.id,
        naturalKey: r.naturalKey,
        layer: "silver",
        content: { ...r.content, score: words },
        metadata: r.metadata,
      },
      { expectedVersion: r.version },
    );
    await records.promote(r.id, "gold", { expectedVersion: enriched.version });
  }
}

/**
 * The feed pipeline: items arrive on a queue, are deduplicated into the record store
 * through sightings and promoted bronze → silver → gold, lookups go through a tiered
 * cache, gold items are announced through the publisher (fan-out to the chosen transport
 * and a custom `audit:` backend) and a SQL report sums up the run.
 *
 * @example
 * ```ts
 * const summary = await runDemo({ items: 200 }, terminalOutput());
 * ```
 */
export async function runDemo(options: DemoOptions, out: Output): Promise<DemoSummary> {
  // Embedded data lives in a temp directory of this run only, removed when it ends.
  const dataDir = mkdtempSync(join(tmpdir(), "core-playground-"));
  const choice: BackendChoice = { ...embeddedDefaults(dataDir), ...stripUndefined(options) };
  const itemCount = options.items ?? 500;
  const pool = new BackendPool();
  const steps = new StepTimer();
  registerAuditBackend();
  try {
    out.line("backends:");
    for (const [protocol, url] of Object.entries(choice)) out.line(`  ${protocol.padEnd(10)} ${url}`);
    const open = (flag: keyof BackendChoice): Promise<Backend> => pool.open(`--${flag}`, choice[flag]);
    const [cacheBackend, queueBackend, recordsBackend, transportBackend, sqlBackend, audit, l1] = await steps.run(
      "open backends",
      () =>
        Promise.all([
          open("cache"),
          open("queue"),
          open("records"),
          open("transport"),
          open("sql"),
          pool.open("audit", "audit:"),
          pool.open("l1", "memory:"),
        ]),
    );
    const run = Date.now().toString(36);
    const queue = queueBackend.queue<FeedItem>(`feed-${run}`);
    const records = recordsBackend.records(`stories-${run}`);

    const items = generateFeed(itemCount, 7);
    await steps.run(
      "enqueue",
      async () => {
        for (let i = 0; i < items.length; i += 100) {
          await queue.putBatch(items.slice(i, i + 100));
          out.progress("enqueue", Math.min(i + 100, items.length), items.length);
        }
        await queue.flush();
      },
      () => `${items.length} items`,
    );

    const dedup = await steps.run(
      "dedupe + store",
      async () => {
        const received: FeedItem[] = [];
        for await (const entry of queue.stream({ offset: await queue.committed("ingest") })) {
          received.push(entry.value);
          if (received.length % 100 === 0) out.progress("dedupe", received.length, items.length);
        }
        if (received.length % 100 !== 0) out.progress("dedupe", received.length, items.length);
        const result = await storeNew(records, received);
        await queue.commit("ingest", received.length);
        return result;
      },
      (r) => `${r.unique} new, ${r.duplicates} seen before`,
    );

    await steps.run("promote layers", () => promote(records));
    const layers = {
      bronze: await records.count({ layer: "bronze" }),
      silver: await records.count({ layer: "silver" }),
      gold: await records.count({ layer: "gold" }),
    };

    const cache = tieredCache<StoredRecord | null>([
      l1.cache(`l1-${run}`, { defaultTtlMs: 5_000 }),
      cacheBackend.cache(`l2-${run}`, { defaultTtlMs: 60_000 }),
    ]);
    const cacheStats = await steps.run(
      "cached lookups",
      async () => {
        let hits = 0;
        let misses = 0;
        const gold = await records.queryPage({ layer: "gold", limit: 50 });
        for (let round = 0; round < 3; round++) {
          for (const r of gold.records) {
            let loaded = false;
            await getOrSet(cache, r.id, async () => {
              loaded = true;
              return records.get(r.id);
            });
            if (loaded) misses++;
            else hits++;
          }
        }
        return { hits, misses };
      },
      (s) => `${s.hits} hits, ${s.misses} misses`,
    );

    const delivered = await steps.run(
      "publish gold",
      () => publishGold(records, transportBackend, audit, run),
      (n) => `${n} delivered`,
    );
    const report = await steps.run("sql report", () => sqlReport(sqlBackend, layers, run));

    const summary: DemoSummary = {
      queued: items.length,
      ...dedup,
      layers,
      cache: cacheStats,
      delivered,
      audited: auditLog(audit).length,
      report,
    };
    out.line();
    out.line(table(["step", "ms", "result"], steps.rows()));
    out.line();
    out.line(
      table(
        ["metric", "value"],
        [
          ["items queued", String(summary.queued)],
          ["unique stories", String(summary.unique)],
          ["duplicates dropped", String(summary.duplicates)],
          ["bronze / silver / gold", `${layers.bronze} / ${layers.silver} / ${layers.gold}`],
          ["cache hits / misses", `${cacheStats.hits} / ${cacheStats.misses}`],
          ["notifications delivered", String(delivered)],
          ["audit log entries", String(summary.audited)],
          ["sql report", report === "not supported" ? report : report.map((r) => `${r.layer}=${r.records}`).join(" ")],
        ],
      ),
    );
    return summary;
  } finally {
    await pool.closeAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function publishGold(records: RecordStore, backend: Backend, audit: Backend, run: string): Promise<number> {
  // One channel per run: runs sharing a server (tests, two terminals) never see each other.
  const channel = `gold-${run}`;
  const publisher = createPublisher({
    transports: { main: backend.transport(), audit: audit.transport() },
    channels: {
      [channel]: { transport: ["main", "audit"], retries: 3, backoff: { initialMs: 10, maxMs: 200, jitter: true } },
    },
  });
  const main = backend.transport();
  let delivered = 0;
  const subscription = await main.subscribe(
    channel,
    () => {
      delivered++;
    },
    { group: `notifier-${run}` },
  );
  let published = 0;
  for await (const r of records.query({ layer: "gold", limit: 10_000 })) {
    await publisher.publish(channel, { id: r.id, title: r.content.title }, { idempotencyKey: r.id });
    published++;
  }
  const deadline = Date.now() + 10_000;
  while (delivered < published && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await subscription.unsubscribe();
  await publisher.close();
  return delivered;
}

async function sqlReport(
  backend: Backend,
  layers: Record<string, number>,
  run: string,
): Promise<DemoSummary["report"]> {
  if (!backend.capabilities.sql) return "not supported";
  const db = backend.sql();
  const name = sql.id(`demo_report_${run}`);
  await db.execute(sql`create table ${name} (layer text primary key, records integer not null)`);
  await db.transaction(async (tx) => {
    for (const [layer, count] of Object.entries(layers))
      await tx.execute(sql`insert into ${name} (layer, records) values (${layer}, ${count})`);
  });
  const rows = await db.query<{ layer: string; records: number | string }>(
    sql`select layer, records from ${name} order by records desc, layer`,
  );
  await db.execute(sql`drop table ${name}`);
  return rows.map((r) => ({ layer: r.layer, records: Number(r.records) }));
}

function stripUndefined(options: DemoOptions): Partial<BackendChoice> {
  const out: Partial<BackendChoice> = {};
  for (const key of ["cache", "queue", "records", "transport", "sql"] as const)
    if (options[key]) out[key] = options[key];
  return out;
}
