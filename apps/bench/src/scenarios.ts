import { type Backend, defaultCodec } from "@core/protocols";
import type { Case } from "./measure.js";
import type { RawDriver } from "./raw/types.js";
import { cacheKey, rawRecordInput, recordId, recordInput, toStored, VALUE } from "./workload.js";

/** The protocol a scenario exercises (also the capability it needs). */
export type Protocol = "cache" | "queue" | "records";

/** One ours-versus-raw pair of one backend. */
export interface Pair {
  protocol: Protocol;
  operation: string;
  /** Items per call (1 for single operations). */
  batch: number;
  ours: Case;
  raw: Case;
}

/** Sizes of a run: stored keys/entries/records, and the batch sizes. */
export interface PairSizes {
  keys: number;
  batches: readonly number[];
}

const encode = (v: unknown) => defaultCodec.encode(v);
const decode = (t: string | undefined) => (t === undefined ? undefined : defaultCodec.decode(t));

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

async function chunks(total: number, size: number, write: (from: number, count: number) => Promise<unknown>) {
  for (let from = 0; from < total; from += size) await write(from, Math.min(size, total - from));
}

/**
 * Every ours-versus-raw pair for one backend. The raw side runs the same codec (values
 * encoded on write and decoded on read) so the ratio is the storage path alone. Reads
 * prefill their data once (both sides) in `setup`.
 *
 * @example
 * ```ts
 * for (const pair of buildPairs(backend, raw, { keys: 1000, batches: [10, 100] })) await compare([pair.ours, pair.raw], opts);
 * ```
 */
export function buildPairs(backend: Backend, raw: RawDriver, sizes: PairSizes): Pair[] {
  const { keys } = sizes;
  const cache = backend.cache<typeof VALUE>("bench");
  const queue = backend.queue<typeof VALUE>("bench-1");
  const reads = backend.queue<typeof VALUE>("bench-read");
  const records = backend.records("bench");
  const text = encode(VALUE);
  const range = (n: number, from: number) => Array.from({ length: n }, (_, j) => from + j);
  const pairs: Pair[] = [];
  const add = (
    protocol: Protocol,
    operation: string,
    batch: number,
    ours: Case["run"],
    rawRun: Case["run"],
    setup?: [() => Promise<void>, () => Promise<void>],
  ) =>
    pairs.push({
      protocol,
      operation,
      batch,
      ours: { name: "ours", run: ours, setup: setup?.[0] },
      raw: { name: "raw", run: rawRun, setup: setup?.[1] },
    });

  const cacheFill: [() => Promise<void>, () => Promise<void>] = [
    once(() =>
      chunks(keys, 500, (from, n) =>
        cache.setMany(range(n, from).map((i) => ({ key: cacheKey(i, keys), value: VALUE }))),
      ),
    ),
    once(() =>
      chunks(keys, 500, async (from, n) =>
        raw.cacheSetMany(range(n, from).map((i) => [cacheKey(i, keys), encode(VALUE)] as const)),
      ),
    ),
  ];
  // Writes go to a prefilled key space (overwrites, a warm cache's steady state) so the row
  // does not depend on how many rounds a side manages before it wraps around the keys; the
  // cost of first inserts has its own row.
  add(
    "cache",
    "set",
    1,
    (i) => cache.set(cacheKey(i, keys), VALUE),
    (i) => raw.cacheSet(cacheKey(i, keys), encode(VALUE)),
    cacheFill,
  );
  add(
    "cache",
    "set (new key)",
    1,
    (i) => cache.set(`new:${i}`, VALUE),
    (i) => raw.cacheSet(`new:${i}`, encode(VALUE)),
  );
  add(
    "cache",
    "get (hit)",
    1,
    (i) => cache.get(cacheKey(i, keys)),
    async (i) => decode(await raw.cacheGet(cacheKey(i, keys))),
    cacheFill,
  );
  for (const n of sizes.batches) {
    const batchKeys = (i: number) => range(n, i * n).map((j) => cacheKey(j, keys));
    add(
      "cache",
      `getMany(${n})`,
      n,
      (i) => cache.getMany(batchKeys(i)),
      async (i) => (await raw.cacheGetMany(batchKeys(i))).map(decode),
      cacheFill,
    );
    add(
      "cache",
      `setMany(${n})`,
      n,
      (i) => cache.setMany(batchKeys(i).map((key) => ({ key, value: VALUE }))),
      (i) => raw.cacheSetMany(batchKeys(i).map((key) => [key, encode(VALUE)] as const)),
      cacheFill,
    );
  }

  add(
    "queue",
    "put",
    1,
    () => queue.put(VALUE),
    () => raw.queuePut(encode(VALUE)),
  );
  for (const n of sizes.batches) {
    const values = Array.from({ length: n }, () => VALUE);
    // A topic per batch size keeps each log (and the memory backend's heap) smaller.
    const topic = backend.queue<typeof VALUE>(`bench-${n}`);
    add(
      "queue",
      `putBatch(${n})`,
      n,
      () => topic.putBatch(values),
      () => raw.queuePutBatch(values.map(encode)),
    );
  }
  const queueFill: [() => Promise<void>, () => Promise<void>] = [
    once(() =>
      chunks(keys, 1000, (_, n) => reads.putBatch(Array.from({ length: n }, () => VALUE)).then(() => reads.flush())),
    ),
    once(() => chunks(keys, 1000, async (_, n) => raw.queuePutBatch(Array.from({ length: n }, () => text)))),
  ];
  for (const n of [1, ...sizes.batches]) {
    if (n > keys) continue;
    // A spread of offsets across the whole log, not a hot prefix.
    const offset = (i: number) => (i * 7919) % (keys - n + 1);
    add(
      "queue",
      `get(offset, limit ${n})`,
      n,
      (i) => reads.get({ offset: offset(i), limit: n }),
      async (i) =>
        (await raw.queueGet(offset(i), n)).map((e) => ({
          offset: e.offset,
          value: decode(e.text),
          timestamp: e.timestamp,
        })),
      queueFill,
    );
  }

  const recordFill: [() => Promise<void>, () => Promise<void>] = [
    once(() => chunks(keys, 500, (from, n) => records.storeBatch(range(n, from).map(recordInput)))),
    once(() => chunks(keys, 500, async (from, n) => raw.recordStoreBatch(range(n, from).map(rawRecordInput)))),
  ];
  add(
    "records",
    "store (upsert)",
    1,
    (i) => records.store(recordInput(i % keys)),
    async (i) => toStored(await raw.recordStore(rawRecordInput(i % keys))),
  );
  add(
    "records",
    "get",
    1,
    (i) => records.get(recordId(i % keys)),
    async (i) => {
      const row = await raw.recordGet(recordId(i % keys));
      return row && toStored(row);
    },
    recordFill,
  );
  for (const n of sizes.batches) {
    add(
      "records",
      `storeBatch(${n})`,
      n,
      (i) => records.storeBatch(range(n, (i * n) % keys).map(recordInput)),
      (i) => raw.recordStoreBatch(range(n, (i * n) % keys).map(rawRecordInput)),
    );
  }
  const page = Math.min(100, keys);
  const cursors: string[] = [];
  const afterIds: string[] = [];
  add(
    "records",
    `query keyset page(${page})`,
    page,
    (i) => records.queryPage({ limit: page, after: cursors[i % cursors.length] }),
    async (i) => (await raw.recordQuery(afterIds[i % afterIds.length] ?? null, page)).map(toStored),
    [
      async () => {
        await recordFill[0]();
        for (let next: string | null = null, first = true; first || next; first = false) {
          const result: { next: string | null } = await records.queryPage({ limit: page, after: next ?? undefined });
          if (result.next) cursors.push(result.next);
          next = result.next;
        }
        if (cursors.length === 0) throw new Error("the record store returned no cursor for a full page");
      },
      async () => {
        await recordFill[1]();
        for (let i = page; i < keys; i += page) afterIds.push(recordId(i - 1));
      },
    ],
  );
  return pairs;
}
