import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { POSTGRES_URL, REDIS_URL } from "./services.js";
import type { Target } from "./target.js";

// Rows become JSON-comparable text: bytes as hex, bigints and dates as strings.
function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString("hex")}`;
  if (typeof value === "bigint") return `bigint:${value}`;
  if (value instanceof Date) return `date:${value.toISOString()}`;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

const byJson = (a: unknown, b: unknown) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

async function sqliteRaw(path: string): Promise<unknown> {
  const Database = (await import("better-sqlite3")).default;
  // Read-only: the snapshot itself must not write (it reads through the WAL).
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as {
      name: string;
    }[];
    const out: Record<string, unknown> = {};
    for (const { name } of tables) {
      const rows = db.prepare(`select * from "${name.replaceAll('"', '""')}"`).all();
      out[name] = (canonical(rows) as unknown[]).sort(byJson);
    }
    return out;
  } finally {
    db.close();
  }
}

async function postgresRaw(schema: string): Promise<unknown> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const out: Record<string, unknown> = {};
    const tables = await client.query<{ name: string }>(
      "select table_name as name from information_schema.tables where table_schema = $1 order by 1",
      [schema],
    );
    for (const { name } of tables.rows) {
      const { rows } = await client.query(`select * from "${schema}"."${name}"`);
      out[name] = (canonical(rows) as unknown[]).sort(byJson);
    }
    // Sequences are left out: an INSERT … ON CONFLICT that the statement then rejects
    // consumes a value without writing anything, which is how Postgres works.
    return out;
  } finally {
    await client.end();
  }
}

async function redisRaw(prefix: string): Promise<unknown> {
  const { Redis } = await import("ioredis");
  const client = new Redis(REDIS_URL);
  try {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
    keys.sort();
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const dump = await client.dumpBuffer(key);
      const ttl = await client.pttl(key);
      out[key] = { dump: dump?.toString("hex") ?? null, expires: ttl >= 0 };
    }
    return out;
  } finally {
    client.disconnect();
  }
}

function fileRaw(directory: string): unknown {
  const out: Record<string, unknown> = {};
  if (!existsSync(directory)) return out;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      // `lock.<pid>`: a process's lock token (see backend-file's lock.ts), kept between
      // writes and holding only `pid timestamp` — process state, not stored data.
      if (/^lock\.\d+$/.test(entry.name)) continue;
      const path = join(dir, entry.name);
      const rel = relative(directory, path);
      const mode = (statSync(path).mode & 0o777).toString(8);
      if (entry.isDirectory()) {
        out[`${rel}/`] = { mode };
        walk(path);
      } else {
        out[rel] = { mode, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") };
      }
    }
  };
  walk(directory);
  return out;
}

/**
 * Every byte the backend stores, read around it (sqlite tables, postgres tables and
 * sequences, redis keys via DUMP, file contents hashed), canonically ordered so two
 * snapshots compare with `toEqual`. Memory has no outside: `null`.
 *
 * @example
 * ```ts
 * const before = await rawSnapshot(target);
 * await expect(store.set("", 1)).rejects.toThrow();
 * expect(await rawSnapshot(target)).toEqual(before);
 * ```
 */
export async function rawSnapshot(target: Target): Promise<unknown> {
  const options = target.spec.options;
  switch (target.name) {
    case "memory":
      return null;
    case "sqlite":
      return sqliteRaw(String(options.path));
    case "file":
      return fileRaw(String(options.directory));
    case "postgres":
      return postgresRaw(String(options.schema));
    case "redis":
      return redisRaw(String(options.prefix));
  }
}
