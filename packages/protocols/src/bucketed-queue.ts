import { invalidArgument } from "./errors.js";
import type { Lifecycle } from "./lifecycle.js";
import {
  bucketFor,
  type GroupEntry,
  type GroupStreamOptions,
  type PutOptions,
  type Queue,
  type QueueBucketStats,
  type QueueEntry,
  type QueueStats,
  type StreamOptions,
} from "./queue.js";
import { checkPutOptions } from "./queue-input.js";
import { assertNonNegativeInteger } from "./validation.js";

/** What {@link createBucketedQueue} needs: the topic's name, its buckets and their owner. */
export interface BucketedQueueOptions<V> {
  /** The backend's name, for error messages (`[name] …`). */
  backend: string;
  /** The backend's lifecycle: every call on a closed backend is CLOSED. */
  lifecycle: Lifecycle;
  /** The topic name (the parent's `name`). */
  name: string;
  /** One queue per bucket, in bucket order; their count is the parent's `buckets`. */
  children: readonly Queue<V>[];
}

/**
 * A topic split into buckets: `put`/`putBatch` route by `bucketFor(key, buckets)` (a key
 * is required), reads, commits and trims go through `bucket(i)` (on the parent they are
 * INVALID_ARGUMENT), `flush` flushes every bucket, and `count`/`stats` sum over them (`stats().perBucket` keeps each bucket's counters).
 *
 * @example
 * ```ts
 * const children = [0, 1, 2, 3].map((i) => openLog(`${name}\u0000${i}`));
 * const q = createBucketedQueue({ backend: "memory", lifecycle, name, children });
 * await q.put({ id: 1 }, { key: "user:1" });
 * const entries = await q.bucket(bucketFor("user:1", 4)).get();
 * ```
 */
export function createBucketedQueue<V>(options: BucketedQueueOptions<V>): Queue<V> {
  return new BucketedQueue(options);
}

class BucketedQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets: number;
  readonly #backend: string;
  readonly #life: Lifecycle;
  readonly #children: readonly Queue<V>[];

  constructor(options: BucketedQueueOptions<V>) {
    this.name = options.name;
    this.#backend = options.backend;
    this.#life = options.lifecycle;
    this.#children = [...options.children];
    this.buckets = this.#children.length;
  }

  #route(options: PutOptions | undefined): Queue<V> {
    this.#life.assertOpen();
    const key = checkPutOptions(this.#backend, options);
    if (key === undefined) {
      throw invalidArgument(
        this.#backend,
        `topic ${JSON.stringify(this.name)} has buckets: pass { key } to route the write`,
      );
    }
    return this.#children[bucketFor(key, this.buckets)] as Queue<V>;
  }

  #readOnParent(method: string): never {
    this.#life.assertOpen();
    throw invalidArgument(this.#backend, `${method} on a bucketed topic: use queue.bucket(i).${method}`);
  }

  async put(value: V, options?: PutOptions): Promise<number> {
    return this.#route(options).put(value);
  }

  async putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    return this.#route(options).putBatch(values);
  }

  async get(): Promise<QueueEntry<V>[]> {
    this.#readOnParent("get");
  }

  stream(options: GroupStreamOptions): AsyncGenerator<GroupEntry<V>>;
  stream(options?: StreamOptions): AsyncGenerator<QueueEntry<V>>;
  // biome-ignore lint/correctness/useYield: a bucketed topic's parent refuses to stream
  async *stream(): AsyncGenerator<QueueEntry<V>> {
    this.#readOnParent("stream");
  }

  // biome-ignore lint/correctness/useYield: a bucketed topic's parent refuses to read
  async *read(): AsyncGenerator<QueueEntry<V>> {
    this.#readOnParent("read");
  }

  async flush(): Promise<void> {
    this.#life.assertOpen();
    await Promise.all(this.#children.map((child) => child.flush()));
  }

  async count(): Promise<number> {
    this.#life.assertOpen();
    let total = 0;
    for (const n of await Promise.all(this.#children.map((child) => child.count()))) total += n;
    return total;
  }

  async stats(): Promise<QueueStats> {
    this.#life.assertOpen();
    const perBucket: QueueBucketStats[] = [];
    const sum: QueueStats = { totalCount: 0, firstOffset: 0, bufferedCount: 0, persistedCount: 0, perBucket };
    const all = await Promise.all(this.#children.map((child) => child.stats()));
    for (let bucket = 0; bucket < all.length; bucket++) {
      const { totalCount, firstOffset, bufferedCount, persistedCount } = all[bucket] as QueueStats;
      sum.totalCount += totalCount;
      sum.firstOffset += firstOffset;
      sum.bufferedCount += bufferedCount;
      sum.persistedCount += persistedCount;
      perBucket.push({ bucket, totalCount, firstOffset, bufferedCount, persistedCount });
    }
    return sum;
  }

  async commit(): Promise<void> {
    this.#readOnParent("commit");
  }

  async committed(): Promise<number> {
    this.#readOnParent("committed");
  }

  async trim(): Promise<number> {
    this.#readOnParent("trim");
  }

  bucket(index: number): Queue<V> {
    this.#life.assertOpen();
    assertNonNegativeInteger(this.#backend, index, "bucket index");
    if (index >= this.buckets) {
      throw invalidArgument(this.#backend, `bucket index must be below ${this.buckets}, got ${index}`);
    }
    return this.#children[index] as Queue<V>;
  }
}
