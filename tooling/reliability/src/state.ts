import type { Backend } from "@core/protocols";
import { message, type Stores } from "./corpus.js";

/** Names of the seeded namespaces every bad-input case targets. */
export const SEED = { cache: "seed-c", queue: "seed-q", records: "seed-r", channel: "seed-ch" } as const;

/**
 * Opens the seeded stores on `backend`.
 *
 * @example
 * ```ts
 * const s = stores(backend);
 * ```
 */
export function stores(backend: Backend): Stores {
  return {
    backend,
    cache: backend.cache(SEED.cache),
    queue: backend.queue(SEED.queue),
    records: backend.records(SEED.records),
    transport: backend.transport(),
  };
}

/**
 * Writes a little of everything, so a bad call that overwrites, appends or deletes shows.
 *
 * @example
 * ```ts
 * await seed(stores(backend));
 * ```
 */
export async function seed(s: Stores): Promise<void> {
  await s.cache.setMany([
    { key: "a", value: "text" },
    { key: "b", value: { nested: [1, 2] } },
    { key: "n", value: 41 },
  ]);
  await s.cache.set("ttl", 1, { ttlMs: 3_600_000 });
  await s.queue.putBatch(["q0", { q: 1 }, 2]);
  await s.queue.commit("g", 1);
  await s.records.store({ id: "r1", naturalKey: "k1", content: { title: "one", n: 1 }, metadata: { m: true } });
  await s.records.store({ id: "r2", naturalKey: "k2", layer: "gold", content: { title: "two" } });
  await s.records.recordSighting({ naturalKey: "k1", source: "seed" });
  await s.transport.send(SEED.channel, [message({ id: "seed-1" })]);
  await s.queue.flush();
}

/**
 * Everything the seeded namespaces hold, read through the protocol API. Reads may touch
 * LRU bookkeeping, so take it outside a raw-snapshot window.
 *
 * @example
 * ```ts
 * expect(await apiSnapshot(s)).toEqual(before);
 * ```
 */
export async function apiSnapshot(s: Stores): Promise<unknown> {
  const keys: string[] = [];
  for await (const key of s.cache.keys()) keys.push(key);
  keys.sort();
  const ttls = await Promise.all(keys.map(async (k) => ((await s.cache.ttl(k)) === null ? "none" : "some")));
  const stats = await s.queue.stats();
  return {
    cache: { keys, values: await s.cache.getMany(keys), ttls },
    queue: {
      entries: await s.queue.get({ offset: 0, limit: 1000 }),
      totalCount: stats.totalCount,
      firstOffset: stats.firstOffset,
      committed: await s.queue.committed("g"),
    },
    records: {
      page: await s.records.queryPage({ limit: 1000 }),
      sightings: await s.records.getSightings("k1"),
      newSightings: await s.records.getSightings("nk"),
      count: await s.records.count(),
    },
  };
}
