import { cpus, totalmem } from "node:os";
import { Redis } from "ioredis";
import pg from "pg";
import { POSTGRES_URL, REDIS_URL, reason } from "./targets.js";

/**
 * The machine a run was measured on, recorded with every result.
 *
 * @example
 * ```ts
 * machineLine(); // "AMD EPYC …, 2 cores, 24 GiB, Node v20.20.2, linux"
 * ```
 */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

/**
 * The PostgreSQL and Redis server versions (or why they could not be read).
 *
 * @example
 * ```ts
 * await serverVersions(); // "PostgreSQL 15.20 (shared_buffers 6026MB), Redis 7.0.15"
 * ```
 */
export async function serverVersions(): Promise<string> {
  let postgres: string;
  let redis: string;
  try {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    await client.connect();
    // shared_buffers decides whether a 1M-record store's pages come from the server's cache
    // (see tune-postgres-for-bench.sh), so the scaling numbers are read with it.
    const { rows } = await client.query<{ version: string; buffers: string }>(
      "select current_setting('server_version') as version, current_setting('shared_buffers') as buffers",
    );
    postgres = `PostgreSQL ${rows[0]!.version} (shared_buffers ${rows[0]!.buffers})`;
    await client.end();
  } catch (err) {
    postgres = `PostgreSQL unreachable (${reason(err)})`;
  }
  try {
    const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
    await client.connect();
    redis = `Redis ${/redis_version:(\S+)/.exec(await client.info("server"))?.[1] ?? "?"}`;
    client.disconnect();
  } catch (err) {
    redis = `Redis unreachable (${reason(err)})`;
  }
  return `${postgres}, ${redis}`;
}
