import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { deleteByPrefix } from "../raw/redis.js";
import { POSTGRES_URL, REDIS_URL } from "../targets.js";
import type { PeerCache, PeerSpec } from "./types.js";

interface KeyvLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  getMany(keys: string[]): Promise<unknown[]>;
  setMany(entries: { key: string; value: unknown }[]): Promise<unknown>;
  disconnect(): Promise<void>;
}

// The Keyv facade is the API users call, so every Keyv peer is measured through it.
function keyvCache(keyv: KeyvLike, cleanup: () => Promise<void>): PeerCache {
  return {
    get: (key) => keyv.get(key),
    set: (key, value) => keyv.set(key, value),
    getMany: (keys) => keyv.getMany(keys),
    setMany: (entries) => keyv.setMany(entries.map(([key, value]) => ({ key, value }))),
    close: async () => {
      try {
        await keyv.disconnect();
      } finally {
        await cleanup();
      }
    },
  };
}

interface StorageLike {
  getItem(key: string): Promise<unknown>;
  setItem(key: string, value: unknown): Promise<void>;
  getItems(keys: string[]): Promise<{ key: string; value: unknown }[]>;
  setItems(items: { key: string; value: unknown }[]): Promise<void>;
  dispose(): Promise<void>;
}

async function unstorageCache(driver: unknown, cleanup: () => Promise<void>): Promise<PeerCache> {
  const { createStorage } = await import("unstorage");
  const storage = createStorage({ driver: driver as never }) as unknown as StorageLike;
  return {
    get: (key) => storage.getItem(key),
    set: (key, value) => storage.setItem(key, value),
    getMany: async (keys) => (await storage.getItems(keys)).map((item) => item.value),
    setMany: (entries) => storage.setItems(entries.map(([key, value]) => ({ key, value }))),
    close: async () => {
      try {
        await storage.dispose();
      } finally {
        await cleanup();
      }
    },
  };
}

async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    await deleteByPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

function tempDir(): { dir: string; remove: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), "bench-peer-"));
  return { dir, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

const KEYV_CALLS = { get: "get", set: "set", getMany: "getMany", setMany: "setMany" };
const UNSTORAGE_CALLS = { get: "getItem", set: "setItem", getMany: "getItems", setMany: "setItems" };

/**
 * The cache peers, each on the same kind of store as one of our backends: Keyv (its
 * default in-memory Map, SQLite, Postgres and Redis adapters) and unstorage (memory, fs and
 * redis drivers). Every peer runs with its defaults, as a user would install it.
 *
 * @example
 * ```ts
 * for (const spec of CACHE_PEERS) { const cache = await spec.open("t1"); await cache.set("k", 1); await cache.close(); }
 * ```
 */
export const CACHE_PEERS: readonly PeerSpec<PeerCache>[] = [
  {
    backend: "memory",
    name: "Keyv (Map)",
    pkg: "keyv",
    calls: KEYV_CALLS,
    note: "`new Keyv()`: its default in-memory `Map` store",
    open: async () => {
      const { Keyv } = await import("keyv");
      return keyvCache(new Keyv() as unknown as KeyvLike, async () => {});
    },
  },
  {
    backend: "memory",
    name: "unstorage memory",
    pkg: "unstorage",
    calls: UNSTORAGE_CALLS,
    note: "`createStorage()` with the `memory` driver",
    open: async () => {
      const { default: memoryDriver } = await import("unstorage/drivers/memory");
      return unstorageCache(memoryDriver(), async () => {});
    },
  },
  {
    backend: "file",
    name: "unstorage fs",
    pkg: "unstorage",
    calls: UNSTORAGE_CALLS,
    note: "the `fs` driver: one file per key (plain `writeFile`, no fsync, no atomic rename)",
    open: async () => {
      const { default: fsDriver } = await import("unstorage/drivers/fs");
      const { dir, remove } = tempDir();
      return unstorageCache(fsDriver({ base: dir }), remove);
    },
  },
  {
    backend: "sqlite",
    name: "Keyv SQLite",
    pkg: "@keyv/sqlite",
    calls: KEYV_CALLS,
    note: "`@keyv/sqlite` on `sqlite3` with its defaults (rollback journal, one transaction per write; no setMany, so Keyv issues parallel sets)",
    open: async () => {
      const [{ Keyv }, { default: KeyvSqlite }] = await Promise.all([import("keyv"), import("@keyv/sqlite")]);
      const { dir, remove } = tempDir();
      const store = new KeyvSqlite({ uri: `sqlite://${join(dir, "keyv.db")}`, table: "keyv" });
      return keyvCache(new Keyv({ store }) as unknown as KeyvLike, remove);
    },
  },
  {
    backend: "postgres",
    name: "Keyv Postgres",
    pkg: "@keyv/postgres",
    calls: KEYV_CALLS,
    note: "`@keyv/postgres` with its defaults (a shared `pg.Pool`, logged table) in its own schema, dropped after",
    open: async (tag) => {
      const [{ Keyv }, { default: KeyvPostgres }] = await Promise.all([import("keyv"), import("@keyv/postgres")]);
      const schema = `bench_keyv_${tag}`;
      const store = new KeyvPostgres({ uri: POSTGRES_URL, schema, table: "keyv" });
      return keyvCache(new Keyv({ store }) as unknown as KeyvLike, () => dropSchema(schema));
    },
  },
  {
    backend: "redis",
    name: "Keyv Redis",
    pkg: "@keyv/redis",
    calls: KEYV_CALLS,
    note: "`createKeyv(url, { namespace })` from `@keyv/redis` (node-redis client); keys under a unique namespace, removed after",
    open: async (tag) => {
      const { createKeyv } = await import("@keyv/redis");
      const namespace = `bench-keyv-${tag}`;
      return keyvCache(createKeyv(REDIS_URL, { namespace }) as unknown as KeyvLike, () => dropRedisPrefix(namespace));
    },
  },
  {
    backend: "redis",
    name: "unstorage redis",
    pkg: "unstorage",
    calls: UNSTORAGE_CALLS,
    note: "the `redis` driver (ioredis) with a unique `base`, removed after",
    open: async (tag) => {
      const { default: redisDriver } = await import("unstorage/drivers/redis");
      const base = `bench-unstorage-${tag}`;
      return unstorageCache(redisDriver({ url: REDIS_URL, base }), () => dropRedisPrefix(base));
    },
  },
];
