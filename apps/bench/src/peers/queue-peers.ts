import { Redis } from "ioredis";
import pg from "pg";
import { deleteByPrefix } from "../raw/redis.js";
import { POSTGRES_URL, REDIS_URL } from "../targets.js";
import type { PeerQueue, PeerSpec } from "./types.js";

const THROUGHPUT = "tput";
const LATENCY = "lat";

// BullMQ takes ioredis options, not a URL; a worker needs maxRetriesPerRequest: null.
function redisOptions() {
  const url = new URL(REDIS_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(url.pathname.slice(1) || 0),
    maxRetriesPerRequest: null,
  };
}

async function openBullmq(tag: string): Promise<PeerQueue> {
  const { Queue, Worker } = await import("bullmq");
  // A unique prefix isolates every key of this run; SCAN + UNLINK removes them after.
  const prefix = `bench-bullmq-${tag}`;
  const connection = redisOptions();
  const tput = new Queue(THROUGHPUT, { connection, prefix });
  const lat = new Queue(LATENCY, { connection, prefix });
  let worker: InstanceType<typeof Worker> | undefined;
  return {
    enqueue: (value) => tput.add("job", value),
    enqueueBatch: (values) => tput.addBulk(values.map((data) => ({ name: "job", data }))),
    startWorker: async (onJob) => {
      worker = new Worker(LATENCY, async (job) => onJob(job.data), { connection, prefix });
      await worker.waitUntilReady();
    },
    sendToWorker: (value) => lat.add("job", value),
    close: async () => {
      try {
        await worker?.close(true);
        await Promise.all([tput.obliterate({ force: true }), lat.obliterate({ force: true })]);
        await Promise.all([tput.close(), lat.close()]);
      } finally {
        const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
        await redis.connect();
        await deleteByPrefix(redis, prefix);
        redis.disconnect();
      }
    },
  };
}

async function openPgBoss(tag: string): Promise<PeerQueue> {
  const { default: PgBoss } = await import("pg-boss");
  // Its own schema, dropped after; no maintenance or cron timers during the run.
  const schema = `bench_pgboss_${tag}`;
  const boss = new PgBoss({ connectionString: POSTGRES_URL, schema, supervise: false, schedule: false });
  boss.on("error", () => {});
  const drop = async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  };
  try {
    await boss.start();
    await boss.createQueue(THROUGHPUT);
    await boss.createQueue(LATENCY);
  } catch (err) {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await drop();
    throw err;
  }
  return {
    enqueue: (value) => boss.send(THROUGHPUT, value as object),
    enqueueBatch: (values) => boss.insert(values.map((data) => ({ name: THROUGHPUT, data: data as object }))),
    startWorker: async (onJob) => {
      // 0.5 s is the shortest polling interval pg-boss accepts (its default is 2 s).
      await boss.work(LATENCY, { pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) onJob(job.data);
      });
    },
    sendToWorker: (value) => boss.send(LATENCY, value as object),
    close: async () => {
      try {
        await boss.stop({ graceful: false, wait: true, timeout: 5_000 });
      } finally {
        await drop();
      }
    },
  };
}

/**
 * The queue peers: BullMQ on Redis and pg-boss on Postgres, compared with our queue and
 * transport on the same server.
 *
 * @example
 * ```ts
 * const bullmq = await QUEUE_PEERS[0]!.open("t1");
 * await bullmq.enqueue({ a: 1 });
 * await bullmq.close();
 * ```
 */
export const QUEUE_PEERS: readonly PeerSpec<PeerQueue>[] = [
  {
    backend: "redis",
    name: "BullMQ",
    pkg: "bullmq",
    calls: { single: "add", batch: "addBulk", worker: "Worker" },
    note: "`Queue` / `Worker` with a unique key prefix (obliterated and removed after); jobs kept after completion (its default)",
    open: openBullmq,
  },
  {
    backend: "postgres",
    name: "pg-boss",
    pkg: "pg-boss",
    calls: { single: "send", batch: "insert", worker: "work" },
    note: "its own schema (dropped after), `supervise: false`, `schedule: false`; `work` polls every 0.5 s (the minimum; default 2 s), so an idle worker sees a job after up to one interval",
    open: openPgBoss,
  },
];
