import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";

/** The server the tests use. */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const START_HINT = "run `bash tooling/scripts/start-services.sh` (from the repository root) to start it";

/**
 * Fails (never skips) with a message saying how to start Redis when it is unreachable.
 *
 * @example
 * ```ts
 * beforeAll(() => requireRedis());
 * ```
 */
export async function requireRedis(url = REDIS_URL): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${url}: ${(err as Error).message}; ${START_HINT}`);
  } finally {
    client.disconnect();
  }
}

/** A key prefix no other test file uses. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Removes every key under `prefix` (SCAN + UNLINK, on every master of a cluster).
 *
 * @example
 * ```ts
 * afterAll(() => deleteKeys(client, prefix));
 * ```
 */
export async function deleteKeys(client: Redis | import("ioredis").Cluster, prefix: string): Promise<void> {
  const nodes = "nodes" in client && client.isCluster ? client.nodes("master") : [client as Redis];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) await client.unlink(key);
    } while (cursor !== "0");
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server child the test owns. */
export interface SpawnedServer {
  port: number;
  process: ChildProcess;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
    if (r.stdout?.trim() === "PONG") return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Spawns `redis-server` on `port` (a free one by default) with persistence off.
 *
 * @example
 * ```ts
 * const server = await spawnRedis();
 * await server.kill();
 * ```
 */
export async function spawnRedis(port?: number, extra: string[] = []): Promise<SpawnedServer> {
  const p = port ?? (await freePort());
  const child = spawn(
    "redis-server",
    ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", ...extra],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitForPing(p);
  return {
    port: p,
    process: child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** A local Redis Cluster of three masters, started by the test. */
export interface LocalCluster {
  nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` children on free ports, joins them
 * with `redis-cli --cluster create`, and waits for `cluster_state:ok`.
 *
 * @example
 * ```ts
 * const cluster = await startCluster();
 * const client = new Cluster(cluster.nodes);
 * ```
 */
export async function startCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), "redis-cluster-"));
  const servers: SpawnedServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      servers.push(
        await spawnRedis(port, [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(dir, `nodes-${port}.conf`),
          "--dir",
          dir,
        ]),
      );
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    const created = spawnSync(
      "redis-cli",
      ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"],
      { encoding: "utf8" },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    const deadline = Date.now() + 15_000;
    for (const server of servers) {
      for (;;) {
        const info = spawnSync("redis-cli", ["-p", String(server.port), "cluster", "info"], { encoding: "utf8" });
        if (info.stdout.includes("cluster_state:ok")) break;
        if (Date.now() > deadline) throw new Error("the local cluster did not reach cluster_state:ok");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return { nodes: servers.map((s) => ({ host: "127.0.0.1", port: s.port })), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A key prefix of its own and an admin connection for one test file: connects before the
 * file's tests (skipping them when no server answers, as {@link requireRedis}) and deletes
 * the prefix's keys after them.
 *
 * @example
 * ```ts
 * const { prefix, admin } = useRedisAdmin("unit");
 * it("sees the key", async () => expect(await admin().exists(`${prefix}:k`)).toBe(0));
 * ```
 */
export function useRedisAdmin(label: string): { prefix: string; admin: () => Redis } {
  const prefix = uniquePrefix(label);
  let client: Redis | undefined;
  beforeAll(async () => {
    await requireRedis();
    client = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    if (client === undefined) return;
    await deleteKeys(client, prefix);
    client.disconnect();
  });
  return { prefix, admin: () => client as Redis };
}
