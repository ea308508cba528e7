import {
  assertName,
  assertNonNegativeInteger,
  BackendError,
  type Codec,
  checkGetOptions,
  checkPutOptions,
  checkQueueOptions,
  checkStreamOptions,
  checkTrimOptions,
  createBucketedQueue,
  encodeValue,
  type GetOptions,
  invalidArgument,
  type PutOptions,
  type Queue,
  type QueueEntry,
  type QueueOptions,
  type QueueStats,
  type StreamOptions,
  type TrimOptions,
} from "@core/protocols";
import { pause, query } from "./db.js";
import { BACKEND, decodeStored } from "./errors.js";
import { queueStatements } from "./queue-sql.js";
import type { StoreShared } from "./shared.js";

const DEFAULT_LIMIT = 100;
const PAGE = 256;
// Fallback only: a blocked reader is woken by NOTIFY; this bounds the wait if one is lost.
const POLL_MS = 500;
const RETRY_MS = [20, 50, 100, 200, 500, 1000];

/**
 * Opens a topic: rows of `queue_entries` at dense offsets under a counter row in
 * `queue_topics`. Bucket i of topic t is stored as topic `t + "\u001f" + i` (names never
 * contain control characters, so it cannot clash).
 *
 * @example
 * ```ts
 * const q = createPostgresQueue<string>(shared, "events");
 * await q.put("signup"); // 0
 * ```
 */
export function createPostgresQueue<V>(shared: StoreShared, name: string, options?: QueueOptions): Queue<V> {
  assertName(BACKEND, name, "topic name");
  const { codec, buckets } = checkQueueOptions(BACKEND, options);
  if (buckets === 1) return new PostgresQueue<V>(shared, name, name, codec);
  const children: Queue<V>[] = [];
  for (let i = 0; i < buckets; i++) children.push(new PostgresQueue<V>(shared, name, `${name}\u001f${i}`, codec));
  return createBucketedQueue<V>({ backend: BACKEND, lifecycle: shared.lifecycle, name, children });
}

interface EntryRow {
  offset: string;
  value: string;
  ts: string;
}

/** One log: an unbucketed topic, or one bucket of a bucketed one. */
class PostgresQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets = 1;
  readonly #shared: StoreShared;
  readonly #codec: Codec;
  readonly #topic: string;
  readonly #sql: ReturnType<typeof queueStatements>;

  constructor(shared: StoreShared, name: string, topic: string, codec: Codec) {
    this.name = name;
    this.#shared = shared;
    this.#codec = codec;
    this.#topic = topic;
    this.#sql = queueStatements(shared.quotedSchema);
  }

  #q(what: string, text: string, params: unknown[]) {
    return query(this.#shared, `queue.${what}`, text, [this.#topic, ...params]);
  }

  async put(value: V, options?: PutOptions): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    if (options !== undefined) checkPutOptions(BACKEND, options);
    return this.#append([encodeValue(BACKEND, this.#codec, value)]);
  }

  async putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    this.#shared.lifecycle.assertOpen();
    if (!Array.isArray(values)) throw invalidArgument(BACKEND, "putBatch needs an array of values");
    if (options !== undefined) checkPutOptions(BACKEND, options);
    // Encode everything first: one bad value means nothing of the batch is written.
    const encoded = values.map((v, i) => encodeValue(BACKEND, this.#codec, v, i));
    if (encoded.length === 0) return { first: await this.count(), count: 0 };
    return { first: await this.#append(encoded), count: encoded.length };
  }

  async #append(encoded: string[]): Promise<number> {
    const { rows } = await this.#q("put", this.#sql.append, [
      encoded,
      Date.now(),
      this.#shared.notifyChannel,
      `q:${this.#topic}`,
    ]);
    return Number(rows[0]?.first);
  }

  #decode(rows: EntryRow[]): QueueEntry<V>[] {
    return rows.map((r) => ({
      offset: Number(r.offset),
      value: decodeStored(this.#codec, r.value) as V,
      timestamp: Number(r.ts),
    }));
  }

  async get(options?: GetOptions): Promise<QueueEntry<V>[]> {
    this.#shared.lifecycle.assertOpen();
    checkGetOptions(BACKEND, options);
    const limit = options?.limit ?? DEFAULT_LIMIT;
    if (limit === 0) return [];
    const { rows } = await this.#q("get", this.#sql.read, [options?.offset ?? 0, limit]);
    return this.#decode(rows as EntryRow[]);
  }

  async *stream(options?: StreamOptions): AsyncGenerator<QueueEntry<V>> {
    this.#shared.lifecycle.assertOpen();
    checkStreamOptions(BACKEND, options);
    const shared = this.#shared;
    const stop = options?.signal ? AbortSignal.any([options.signal, shared.lifecycle.signal]) : shared.lifecycle.signal;
    if (stop.aborted) return;
    let cursor = options?.offset ?? 0;
    let remaining = options?.limit ?? Number.POSITIVE_INFINITY;
    // Armed before the first read, so a NOTIFY between a read and the wait is not lost.
    const waiter = options?.block ? shared.listener.arm(`q:${this.#topic}`) : undefined;
    let failures = 0;
    try {
      if (waiter) await shared.listener.ready();
      while (remaining > 0 && !stop.aborted) {
        let page: QueueEntry<V>[];
        try {
          const { rows } = await this.#q("stream", this.#sql.read, [cursor, Math.min(PAGE, remaining)]);
          page = this.#decode(rows as EntryRow[]);
          failures = 0;
        } catch (err) {
          if (stop.aborted) return;
          // A blocking reader waits out outages; a plain read reports them.
          if (!waiter || !BackendError.is(err, "CONNECTION")) throw err;
          await pause(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)] as number, stop);
          continue;
        }
        if (page.length === 0) {
          if (!waiter) return;
          await waiter.wait(POLL_MS, stop);
          continue;
        }
        for (const entry of page) {
          yield entry;
          remaining--;
          cursor = entry.offset + 1;
          if (stop.aborted || remaining === 0) return;
        }
      }
    } finally {
      waiter?.dispose();
    }
  }

  async flush(): Promise<void> {
    // Every write is committed before its promise resolves: nothing is buffered.
    this.#shared.lifecycle.assertOpen();
  }

  async count(): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    const { rows } = await this.#q("count", this.#sql.count, []);
    return Number(rows[0]?.next_offset ?? 0);
  }

  async stats(): Promise<QueueStats> {
    this.#shared.lifecycle.assertOpen();
    const { rows } = await this.#q("stats", this.#sql.stats, []);
    const totalCount = Number(rows[0]?.total ?? 0);
    const first = rows[0]?.first;
    const firstOffset = first === null || first === undefined ? totalCount : Number(first);
    return { totalCount, firstOffset, bufferedCount: 0, persistedCount: totalCount };
  }

  async commit(group: string, nextOffset: number): Promise<void> {
    this.#shared.lifecycle.assertOpen();
    assertName(BACKEND, group, "group");
    assertNonNegativeInteger(BACKEND, nextOffset, "nextOffset");
    await this.#q("commit", this.#sql.commit, [group, nextOffset]);
  }

  async committed(group: string): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    assertName(BACKEND, group, "group");
    const { rows } = await this.#q("committed", this.#sql.committed, [group]);
    return Number(rows[0]?.next_offset ?? 0);
  }

  async trim(options: TrimOptions): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    checkTrimOptions(BACKEND, options);
    const { rowCount } =
      "maxLength" in options && options.maxLength !== undefined
        ? await this.#q("trim", this.#sql.trimMaxLength, [options.maxLength])
        : await this.#q("trim", this.#sql.trimBefore, [(options as { before: number }).before]);
    return rowCount ?? 0;
  }

  bucket(index: number): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    assertNonNegativeInteger(BACKEND, index, "bucket index");
    if (index !== 0) throw invalidArgument(BACKEND, `bucket index must be below 1, got ${index}`);
    return this;
  }
}
