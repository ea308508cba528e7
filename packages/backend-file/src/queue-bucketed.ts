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
 * A topic split into buckets: writes route by `bucketFor(key, n)`, reads go through
 * `bucket(i)`, counters sum over the buckets.
 *
 * @example
 * ```ts
 * const q = new BucketedFileQueue(lifecycle, [bucket0, bucket1], "events");
 * await q.put({ id: 1 }, { key: "user:1" });
 * ```
 */
export class BucketedFileQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets: number;
  readonly #life: Lifecycle;
  readonly #children: Queue<V>[];

  constructor(life: Lifecycle, children: Queue<V>[], name: string) {
    this.#life = life;
    this.#children = children;
    this.buckets = children.length;
    this.name = name;
  }

  #route(options: PutOptions | undefined): Queue<V> {
    this.#life.assertOpen();
    const key = checkPutOptions(options);
    if (key === undefined) {
      throw invalidArgument(BACKEND, `topic ${JSON.stringify(this.name)} has buckets: pass { key } to route the write`);
    }
    return this.#children[bucketFor(key, this.buckets)] as Queue<V>;
  }

  #readOnParent<T>(method: string): Promise<T> {
    try {
      this.#life.assertOpen();
      throw invalidArgument(BACKEND, `${method} on a bucketed topic: use queue.bucket(i).${method}`);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  put(value: V, options?: PutOptions): Promise<number> {
    try {
      return this.#route(options).put(value);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    try {
      return this.#route(options).putBatch(values);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  get(): Promise<QueueEntry<V>[]> {
    return this.#readOnParent("get");
  }

  async *stream(): AsyncGenerator<QueueEntry<V>> {
    yield* await this.#readOnParent<QueueEntry<V>[]>("stream");
  }

  async flush(): Promise<void> {
    this.#life.assertOpen();
    await Promise.all(this.#children.map((child) => child.flush()));
  }

  async count(): Promise<number> {
    let total = 0;
    for (const child of this.#children) total += await child.count();
    return total;
  }

  async stats(): Promise<QueueStats> {
    const sum: QueueStats = { totalCount: 0, firstOffset: 0, bufferedCount: 0, persistedCount: 0 };
    for (const child of this.#children) {
      const stats = await child.stats();
      sum.totalCount += stats.totalCount;
      sum.firstOffset += stats.firstOffset;
      sum.persistedCount += stats.persistedCount;
      sum.bufferedCount += stats.bufferedCount;
    }
    return sum;
  }

  commit(): Promise<void> {
    return this.#readOnParent("commit");
  }

  committed(): Promise<number> {
    return this.#readOnParent("committed");
  }

  trim(): Promise<number> {
    return this.#readOnParent("trim");
  }

  bucket(index: number): Queue<V> {
    this.#life.assertOpen();
    assertNonNegativeInteger(BACKEND, index, "bucket index");
    if (index >= this.buckets)
      throw invalidArgument(BACKEND, `bucket index must be below ${this.buckets}, got ${index}`);
    return this.#children[index] as Queue<V>;
  }
}
