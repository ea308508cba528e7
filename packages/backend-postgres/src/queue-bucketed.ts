import {
  assertNonNegativeInteger,
  bucketFor,
  invalidArgument,
  type Lifecycle,
  type PutOptions,
  type Queue,
  type QueueEntry,
  type QueueStats,
} from "@core/protocols";
import { BACKEND } from "./errors.js";
import { checkPutOptions } from "./queue-input.js";

/**
 * A topic split into buckets: writes route by `bucketFor(key)`, reads go through
 * `bucket(i)`; `count`/`stats` sum over buckets.
 *
 * @example
 * ```ts
 * const q = new BucketedPostgresQueue(shared, "events", children);
 * await q.put(event, { key: "user:1" });
 * ```
 */
export class BucketedPostgresQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets: number;
  readonly #lifecycle: Lifecycle;
  readonly #children: Queue<V>[];

  constructor(shared: { lifecycle: Lifecycle }, name: string, children: Queue<V>[]) {
    this.name = name;
    this.#lifecycle = shared.lifecycle;
    this.#children = children;
    this.buckets = children.length;
  }

  #route(options: PutOptions | undefined): Queue<V> {
    this.#lifecycle.assertOpen();
    const key = checkPutOptions(options);
    if (key === undefined) {
      throw invalidArgument(BACKEND, `topic ${JSON.stringify(this.name)} has buckets: pass { key } to route the write`);
    }
    return this.#children[bucketFor(key, this.buckets)] as Queue<V>;
  }

  #parentRead(method: string): never {
    this.#lifecycle.assertOpen();
    throw invalidArgument(BACKEND, `${method} on a bucketed topic: use queue.bucket(i).${method}`);
  }

  async put(value: V, options?: PutOptions): Promise<number> {
    return this.#route(options).put(value);
  }

  async putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    return this.#route(options).putBatch(values);
  }

  async get(): Promise<QueueEntry<V>[]> {
    this.#parentRead("get");
  }

  // biome-ignore lint/correctness/useYield: a bucketed topic's parent refuses to stream
  async *stream(): AsyncGenerator<QueueEntry<V>> {
    this.#parentRead("stream");
  }

  async flush(): Promise<void> {
    this.#lifecycle.assertOpen();
  }

  async count(): Promise<number> {
    this.#lifecycle.assertOpen();
    let total = 0;
    for (const n of await Promise.all(this.#children.map((c) => c.count()))) total += n;
    return total;
  }

  async stats(): Promise<QueueStats> {
    this.#lifecycle.assertOpen();
    const sum: QueueStats = { totalCount: 0, firstOffset: 0, bufferedCount: 0, persistedCount: 0 };
    for (const stats of await Promise.all(this.#children.map((c) => c.stats()))) {
      sum.totalCount += stats.totalCount;
      sum.firstOffset += stats.firstOffset;
      sum.persistedCount += stats.persistedCount;
    }
    return sum;
  }

  async commit(): Promise<void> {
    this.#parentRead("commit");
  }

  async committed(): Promise<number> {
    this.#parentRead("committed");
  }

  async trim(): Promise<number> {
    this.#parentRead("trim");
  }

  bucket(index: number): Queue<V> {
    this.#lifecycle.assertOpen();
    assertNonNegativeInteger(BACKEND, index, "bucket index");
    if (index >= this.buckets)
      throw invalidArgument(BACKEND, `bucket index must be below ${this.buckets}, got ${index}`);
    return this.#children[index] as Queue<V>;
  }
}
