import {
  assertName,
  assertNonNegativeInteger,
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
import { BACKEND } from "./errors.js";
import { namespaceKey } from "./keys.js";
import { decodeEntries, idOf, type RawEntry, readRange, streamEntries } from "./queue-stream.js";
import { scripts } from "./scripts.js";
import { type RedisShared, run } from "./shared.js";

const DEFAULT_LIMIT = 100;

/**
 * Opens a topic: a Redis stream with dense offsets (offset o has id `0-(o+1)`), an offset
 * counter and a hash of consumer groups, all under `{prefix}:{q:<topic>}`. Bucket i is the
 * topic `name + "\u0000" + i`: its own hash tag, so buckets spread over cluster slots.
 *
 * @example
 * ```ts
 * const q = createRedisQueue<string>(shared, "events");
 * await q.put("signup"); // 0
 * ```
 */
export function createRedisQueue<V>(shared: RedisShared, name: string, options?: QueueOptions): Queue<V> {
  assertName(BACKEND, name, "topic name");
  const { codec, buckets } = checkQueueOptions(BACKEND, options);
  if (buckets === 1) return new RedisQueue<V>(shared, name, name, codec);
  const children: RedisQueue<V>[] = [];
  for (let i = 0; i < buckets; i++) children.push(new RedisQueue<V>(shared, name, `${name}\u0000${i}`, codec));
  return createBucketedQueue<V>({ backend: BACKEND, lifecycle: shared.lifecycle, name, children });
}

/** One log: an unbucketed topic, or one bucket of a bucketed one. */
class RedisQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets = 1;
  readonly #shared: RedisShared;
  readonly #codec: Codec;
  readonly #stream: string;
  readonly #counter: string;
  readonly #groups: string;
  readonly #appendKeys: readonly string[];

  constructor(shared: RedisShared, name: string, storageName: string, codec: Codec) {
    this.name = name;
    this.#shared = shared;
    this.#codec = codec;
    const base = namespaceKey(shared.prefix, "q", storageName);
    this.#stream = `${base}:s`;
    this.#counter = `${base}:n`;
    this.#groups = `${base}:g`;
    this.#appendKeys = [this.#stream, this.#counter];
  }

  async put(value: V, options?: PutOptions): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    if (options !== undefined) checkPutOptions(BACKEND, options);
    return this.#append([Date.now(), encodeValue(BACKEND, this.#codec, value)]);
  }

  async putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    this.#shared.lifecycle.assertOpen();
    if (!Array.isArray(values)) throw invalidArgument(BACKEND, "putBatch needs an array of values");
    if (options !== undefined) checkPutOptions(BACKEND, options);
    if (values.length === 0) return { first: await this.count(), count: 0 };
    // Encode everything first: one bad value means nothing of the batch is written.
    const args: (string | number)[] = [Date.now()];
    for (let i = 0; i < values.length; i++) args.push(encodeValue(BACKEND, this.#codec, values[i], i));
    return { first: await this.#append(args), count: values.length };
  }

  /** Runs the append script; `args` is the timestamp (ms) and then the encoded values. */
  async #append(args: (string | number)[]): Promise<number> {
    const reply = await run(this.#shared, "queue.put", () =>
      scripts().queueAppend.run(this.#shared.client, this.#appendKeys, args),
    );
    return Number(reply);
  }

  async get(options?: GetOptions): Promise<QueueEntry<V>[]> {
    this.#shared.lifecycle.assertOpen();
    checkGetOptions(BACKEND, options);
    const limit = options?.limit ?? DEFAULT_LIMIT;
    if (limit === 0) return [];
    const raw = await run(this.#shared, "queue.get", () =>
      options?.offset === undefined
        ? (this.#shared.client.call("XRANGE", this.#stream, "-", "+", "COUNT", limit) as Promise<RawEntry[]>)
        : readRange(this.#shared.client, this.#stream, options.offset, limit),
    );
    return decodeEntries<V>(raw, this.#codec);
  }

  async *stream(options?: StreamOptions): AsyncGenerator<QueueEntry<V>> {
    this.#shared.lifecycle.assertOpen();
    checkStreamOptions(BACKEND, options);
    const source = {
      shared: this.#shared,
      key: this.#stream,
      codec: this.#codec,
      first: async () => (await this.stats()).firstOffset,
    };
    yield* streamEntries<V>(source, options ?? {});
  }

  async flush(): Promise<void> {
    // Every write is sent (and acknowledged) before its promise resolves: nothing is buffered.
    this.#shared.lifecycle.assertOpen();
  }

  async count(): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    const n = await run(this.#shared, "queue.count", () => this.#shared.client.call("GET", this.#counter));
    return n === null ? 0 : Number(n);
  }

  async stats(): Promise<QueueStats> {
    this.#shared.lifecycle.assertOpen();
    const [total, head] = await run(this.#shared, "queue.stats", async () => {
      const tx = this.#shared.client.multi();
      tx.call("GET", this.#counter);
      tx.call("XRANGE", this.#stream, "-", "+", "COUNT", 1);
      const results = await tx.exec();
      if (results === null) throw new Error("Connection is closed.");
      for (const [err] of results) if (err) throw err;
      return [results[0]?.[1] as string | null, results[1]?.[1] as RawEntry[]] as const;
    });
    const totalCount = total === null ? 0 : Number(total);
    const firstId = head[0]?.[0];
    const firstOffset = firstId === undefined ? totalCount : Number(firstId.slice(firstId.indexOf("-") + 1)) - 1;
    return { totalCount, firstOffset, bufferedCount: 0, persistedCount: totalCount };
  }

  async commit(group: string, nextOffset: number): Promise<void> {
    this.#shared.lifecycle.assertOpen();
    assertName(BACKEND, group, "group");
    assertNonNegativeInteger(BACKEND, nextOffset, "nextOffset");
    await run(this.#shared, "queue.commit", () => this.#shared.client.call("HSET", this.#groups, group, nextOffset));
  }

  async committed(group: string): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    assertName(BACKEND, group, "group");
    const n = await run(this.#shared, "queue.committed", () => this.#shared.client.call("HGET", this.#groups, group));
    return n === null ? 0 : Number(n);
  }

  async trim(options: TrimOptions): Promise<number> {
    this.#shared.lifecycle.assertOpen();
    const beforeOf = checkTrimOptions(BACKEND, options);
    if ("maxLength" in options && options.maxLength !== undefined) {
      const maxLength = options.maxLength;
      return (await run(this.#shared, "queue.trim", () =>
        this.#shared.client.call("XTRIM", this.#stream, "MAXLEN", maxLength),
      )) as number;
    }
    const before = beforeOf(0);
    return (await run(this.#shared, "queue.trim", () =>
      this.#shared.client.call("XTRIM", this.#stream, "MINID", idOf(before)),
    )) as number;
  }

  bucket(index: number): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    assertNonNegativeInteger(BACKEND, index, "bucket index");
    if (index !== 0) throw invalidArgument(BACKEND, `bucket index must be below 1, got ${index}`);
    return this;
  }
}
