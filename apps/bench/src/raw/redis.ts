import { Redis } from "ioredis";
import type { RawDriver, RawRecord } from "./types.js";

// Dense offsets need a counter next to the stream; one script keeps it one round trip.
const PUT = `local first = redis.call('INCRBY', KEYS[2], #ARGV - 1) - (#ARGV - 1)
for i = 2, #ARGV do redis.call('XADD', KEYS[1], (first + i - 2) .. '-1', 'v', ARGV[i], 't', ARGV[1]) end
return first`;

const FIELDS = ["nk", "layer", "content", "metadata", "ca", "ua", "v"] as const;

function toRecord(id: string, f: (string | null)[]): RawRecord | undefined {
  if (f[0] === null) return undefined;
  return {
    id,
    naturalKey: f[0]!,
    layer: f[1]!,
    content: f[2]!,
    metadata: f[3]!,
    createdAt: Number(f[4]),
    updatedAt: Number(f[5]),
    version: Number(f[6]),
  };
}

/**
 * Baseline of the redis backend: ioredis with GET/SET/MGET/MSET, record batches in one MULTI
 * (atomic like ours), the queue as a stream plus a counter for dense offsets (one Lua
 * script), records as hashes with a lexicographic id index.
 *
 * @example
 * ```ts
 * const raw = await openRawRedis("redis://127.0.0.1:6379", "bench-raw-1", true); // auto-pipelined
 * ```
 */
export async function openRawRedis(url: string, prefix: string, autoPipelining = false): Promise<RawDriver> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableAutoPipelining: autoPipelining });
  await redis.connect();
  const k = (s: string) => `${prefix}:${s}`;
  const rec = (id: string) => k(`r:${id}`);
  redis.defineCommand("benchPut", { numberOfKeys: 2, lua: PUT });
  const script = redis as unknown as { benchPut(...args: (string | number)[]): Promise<number> };
  const put = async (texts: readonly string[]) => Number(await script.benchPut(k("q"), k("qn"), Date.now(), ...texts));
  const getRecords = async (ids: readonly string[]) => {
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(rec(id), ...FIELDS);
    const results = (await pipeline.exec()) ?? [];
    return ids.map((id, i) => toRecord(id, results[i]![1] as (string | null)[])!).filter(Boolean);
  };
  const store = (tx: ReturnType<Redis["multi"]>, r: RawRecord) => {
    tx.hsetnx(rec(r.id), "ca", r.createdAt);
    tx.hset(
      rec(r.id),
      "nk",
      r.naturalKey,
      "layer",
      r.layer,
      "content",
      r.content,
      "metadata",
      r.metadata,
      "ua",
      r.updatedAt,
    );
    tx.hincrby(rec(r.id), "v", 1);
    tx.hset(k("nk"), r.naturalKey, r.id);
    tx.zadd(k("ids"), 0, r.id);
    tx.hmget(rec(r.id), ...FIELDS);
  };
  return {
    description:
      (autoPipelining ? "ioredis (enableAutoPipelining)" : "ioredis") +
      ": GET/SET/MGET/MSET, record batches in one MULTI, queue = Lua INCRBY+XADD, records = hashes + ZSET index",
    cacheGet: async (key) => (await redis.get(k(`c:${key}`))) ?? undefined,
    cacheGetMany: async (keys) => (await redis.mget(...keys.map((key) => k(`c:${key}`)))).map((v) => v ?? undefined),
    cacheSet: async (key, text) => void (await redis.set(k(`c:${key}`), text)),
    // MSET: atomic, one command (no TTL here), the cheapest equivalent of a MULTI of SETs.
    cacheSetMany: async (entries) =>
      void (await redis.mset(...entries.flatMap(([key, text]) => [k(`c:${key}`), text]))),
    queuePut: (text) => put([text]),
    queuePutBatch: (texts) => put(texts),
    queueGet: async (offset, limit) => {
      const rows = (await redis.xrange(k("q"), `${offset}-1`, "+", "COUNT", limit)) as [string, string[]][];
      return rows.map(([id, f]) => ({ offset: Number(id.split("-")[0]), text: f[1]!, timestamp: Number(f[3]) }));
    },
    recordStore: async (r) => {
      const tx = redis.multi();
      store(tx, r);
      const out = (await tx.exec()) ?? [];
      return toRecord(r.id, out[5]![1] as (string | null)[])!;
    },
    recordStoreBatch: async (rows) => {
      const tx = redis.multi();
      for (const r of rows) store(tx, r);
      await tx.exec();
    },
    recordGet: async (id) => toRecord(id, await redis.hmget(rec(id), ...FIELDS)),
    recordQuery: async (afterId, limit) =>
      getRecords(await redis.zrangebylex(k("ids"), afterId === null ? "-" : `(${afterId}`, "+", "LIMIT", 0, limit)),
    close: async () => {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/**
 * Removes every key under `prefix` (SCAN + UNLINK, never KEYS).
 *
 * @example
 * ```ts
 * await deleteByPrefix(redis, "bench-1");
 * ```
 */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
}
