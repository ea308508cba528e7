import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { RawDriver, RawRecord } from "./types.js";

// Dense offsets need a counter next to the stream; one script keeps it one round trip.
const PUT = `local first = redis.call('INCRBY', KEYS[2], #ARGV - 1) - (#ARGV - 1)
for i = 2, #ARGV do redis.call('XADD', KEYS[1], (first + i - 2) .. '-1', 'v', ARGV[i], 't', ARGV[1]) end
return first`;

const FIELDS = ["nk", "layer", "content", "metadata", "ca", "ua", "v"] as const;

/** Index scopes and orderings our redis record store keeps: 4 scopes × 4 sorted sets. */
const SCOPES = ["all", "bronze", "silver", "gold"] as const;
const ORDERINGS = ["id", "k", "c", "u"] as const;

// One record write with the sorted-set indexes ours keeps (see records-index.lua of
// @core/backend-redis): per scope (all and the record's layer) id, natural key then id
// (the bench's keys hold no NUL, so none is escaped), createdAt and updatedAt (descending pages read the time sets in reverse), members scored 0 so each
// set sorts by member bytes. Only the members that change are removed and re-added. A MULTI
// cannot do this: the members to remove hold the old updatedAt, which a MULTI cannot read
// before it writes (WATCH + read + MULTI would be two round trips and a retry loop), so an
// expert writes this one script.
// It also keeps ours' equality postings: one sorted set of ids per scalar leaf value of
// content and metadata (named by the client, listed in the hash's `px` to move on update).
// KEYS[1] record hash, KEYS[2] natural key -> id hash, KEYS[3..18] the indexes scope-major,
// KEYS[19] the postings' key prefix.
// ARGV id, natural key, layer, content, metadata, now (ms), postings (space-separated).
// Returns { version, createdAt }.
const STORE = `local id, nk, layer, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[6])
local SCOPE = { all = 3, bronze = 7, silver = 11, gold = 15 }
local function t(ms) return string.format('%015x', ms) end
local function members(key, ca, ua) return { id, key .. '\\0\\0' .. id, t(ca) .. id, t(ua) .. id } end
local old = redis.call('HMGET', KEYS[1], 'nk', 'layer', 'ca', 'ua', 'v', 'px')
local ca, v = now, 1
local keep = {}
if old[1] then
  ca, v = tonumber(old[3]), tonumber(old[5]) + 1
  local before, after = members(old[1], ca, tonumber(old[4])), members(nk, ca, now)
  for _, scope in ipairs({ 'all', old[2] }) do
    for o = 1, 4 do
      if old[2] == layer and before[o] == after[o] then keep[o] = true
      else redis.call('ZREM', KEYS[SCOPE[scope] + o - 1], before[o]) end
    end
  end
  if old[1] ~= nk then redis.call('HDEL', KEYS[2], old[1]) end
end
redis.call('HSET', KEYS[1], 'nk', nk, 'layer', layer, 'content', ARGV[4], 'metadata', ARGV[5], 'ca', ca, 'ua', now, 'v', v, 'px', ARGV[7])
if old[6] ~= ARGV[7] then
  local function set(list)
    local out = {}
    if list then for p in string.gmatch(list, '%S+') do out[p] = true end end
    return out
  end
  local before, after = set(old[6]), set(ARGV[7])
  for p in pairs(before) do if not after[p] then redis.call('ZREM', KEYS[19] .. p, id) end end
  for p in pairs(after) do if not before[p] then redis.call('ZADD', KEYS[19] .. p, 0, id) end end
end
redis.call('HSET', KEYS[2], nk, id)
local after = members(nk, ca, now)
for _, scope in ipairs({ 'all', layer }) do
  for o = 1, 4 do
    if not keep[o] then redis.call('ZADD', KEYS[SCOPE[scope] + o - 1], 0, after[o]) end
  end
end
return { v, ca }`;

// The postings of a record's content or metadata, named as ours names them: the leaf's path
// and the SHA-1 of its type-tagged value (arrays and null have none).
function postings(root: "c" | "m", value: Record<string, unknown>, path: string, out: string[]): string[] {
  for (const key of Object.keys(value)) {
    const v = value[key];
    const at = path === "" ? key : `${path}.${key}`;
    const tag = typeof v === "string" ? "s" : typeof v === "number" ? "n" : typeof v === "boolean" ? "b" : "";
    if (tag !== "")
      out.push(
        `${root}.${at}:${createHash("sha1")
          .update(tag + String(v))
          .digest("base64url")}`,
      );
    else if (v !== null && typeof v === "object" && !Array.isArray(v))
      postings(root, v as Record<string, unknown>, at, out);
  }
  return out;
}

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
 * script), records as hashes with the same sorted-set indexes and equality postings as ours, kept by
 * one Lua script per write.
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
  redis.defineCommand("benchStore", { numberOfKeys: 3 + SCOPES.length * ORDERINGS.length, lua: STORE });
  const indexKeys = SCOPES.flatMap((scope) => ORDERINGS.map((o) => k(`ix:${scope}:${o}`)));
  const storeArgs = (r: RawRecord) => [
    rec(r.id),
    k("nk"),
    ...indexKeys,
    k("p:"),
    r.id,
    r.naturalKey,
    r.layer,
    r.content,
    r.metadata,
    r.updatedAt,
    // Ours names postings from the objects it is given; the raw side has JSON text.
    [...postings("c", JSON.parse(r.content), "", []), ...postings("m", JSON.parse(r.metadata), "", [])].join(" "),
  ];
  const stored = (r: RawRecord, [version, createdAt]: [number, number]): RawRecord => ({
    ...r,
    createdAt: Number(createdAt),
    version: Number(version),
  });
  const storeOne = redis as unknown as { benchStore(...args: (string | number)[]): Promise<[number, number]> };
  return {
    description:
      (autoPipelining ? "ioredis (enableAutoPipelining)" : "ioredis") +
      ": GET/SET/MGET/MSET, queue = Lua INCRBY+XADD, records = hashes + the same 16 sorted-set indexes as ours (4 orderings × all/3 layers) + the same equality postings (one sorted set per content/metadata scalar value), each write one Lua script (it must read the old times it removes, which a MULTI cannot), batches in one MULTI",
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
    recordStore: async (r) => stored(r, await storeOne.benchStore(...storeArgs(r))),
    recordStoreBatch: async (rows) => {
      // One MULTI of the record scripts: atomic like ours, one round trip.
      const tx = redis.multi() as unknown as {
        benchStore(...args: (string | number)[]): void;
        exec(): Promise<unknown>;
      };
      for (const r of rows) tx.benchStore(...storeArgs(r));
      await tx.exec();
    },
    recordGet: async (id) => toRecord(id, await redis.hmget(rec(id), ...FIELDS)),
    recordQuery: async (afterId, limit) =>
      getRecords(
        await redis.zrangebylex(k("ix:all:id"), afterId === null ? "-" : `(${afterId}`, "+", "LIMIT", 0, limit),
      ),
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
