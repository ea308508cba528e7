import {
  assertName,
  assertNonNegativeInteger,
  type Codec,
  checkGetOptions,
  checkPutOptions,
  checkQueueOptions,
  checkStreamOptions,
  checkTrimOptions,
  closedError,
  createBucketedQueue,
  encodeValue,
  type GetOptions,
  invalidArgument,
  type Lifecycle,
  type PutOptions,
  type Queue,
  type QueueEntry,
  type QueueOptions,
  type QueueStats,
  type StreamOptions,
  type TrimOptions,
} from "@core/protocols";
import { QueueLog } from "./queue-log.js";
import type { MemoryShared } from "./shared.js";

const BACKEND = "memory";
const DEFAULT_LIMIT = 100;
/** Entries a stream decodes at a time, so a long topic never sits in memory twice. */
const PAGE_SIZE = 128;

function logOf(shared: MemoryShared, storageName: string): QueueLog {
  let log = shared.queues.get(storageName) as QueueLog | undefined;
  if (log === undefined) {
    log = new QueueLog();
    shared.queues.set(storageName, log);
  }
  return log;
}

/**
 * Opens a topic in this backend's memory. Handles on the same name share the data;
 * bucket `i` of topic `t` is stored as topic `t + "\u0000" + i` (no name can clash with it).
 *
 * @example
 * ```ts
 * const q = createMemoryQueue<string>(shared, "events");
 * await q.put("signup"); // 0
 * ```
 */
export function createMemoryQueue<V>(shared: MemoryShared, name: string, options?: QueueOptions): Queue<V> {
  assertName(BACKEND, name, "topic name");
  const { codec, buckets } = checkQueueOptions(BACKEND, options);
  if (buckets === 1) return new MemoryQueue<V>(shared.lifecycle, logOf(shared, name), codec, name);
  const children: MemoryQueue<V>[] = [];
  for (let i = 0; i < buckets; i++) {
    children.push(new MemoryQueue<V>(shared.lifecycle, logOf(shared, `${name}\u0000${i}`), codec, name));
  }
  return createBucketedQueue<V>({ backend: BACKEND, lifecycle: shared.lifecycle, name, children });
}

/** One log: an unbucketed topic, or one bucket of a bucketed one. */
class MemoryQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets = 1;
  readonly #life: Lifecycle;
  readonly #log: QueueLog;
  readonly #codec: Codec;

  constructor(life: Lifecycle, log: QueueLog, codec: Codec, name: string) {
    this.#life = life;
    this.#log = log;
    this.#codec = codec;
    this.name = name;
  }

  // Memory work is synchronous, so methods settle at once instead of going through
  // `lifecycle.run` (nothing is ever in flight for `close()` to wait on).
  put(value: V, options?: PutOptions): Promise<number> {
    try {
      this.#life.assertOpen();
      if (options !== undefined) checkPutOptions(BACKEND, options);
      return Promise.resolve(this.#log.append(encodeValue(BACKEND, this.#codec, value), Date.now()));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    try {
      this.#life.assertOpen();
      if (!Array.isArray(values)) throw invalidArgument(BACKEND, "putBatch needs an array of values");
      if (options !== undefined) checkPutOptions(BACKEND, options);
      // Encode everything first: one bad value means nothing of the batch is written.
      // Stryker disable next-line ArrayDeclaration: every index is assigned below
      const encoded = new Array<string>(values.length);
      for (let i = 0; i < values.length; i++) encoded[i] = encodeValue(BACKEND, this.#codec, values[i], i);
      return Promise.resolve({ first: this.#log.appendMany(encoded, Date.now()), count: values.length });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  get(options?: GetOptions): Promise<QueueEntry<V>[]> {
    try {
      this.#life.assertOpen();
      checkGetOptions(BACKEND, options);
      const offset = options?.offset ?? this.#log.first;
      return Promise.resolve(this.#log.read<V>(offset, options?.limit ?? DEFAULT_LIMIT, this.#codec));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async *stream(options?: StreamOptions): AsyncGenerator<QueueEntry<V>> {
    this.#life.assertOpen();
    checkStreamOptions(BACKEND, options);
    const log = this.#log;
    const closed = this.#life.signal;
    const signal = options?.signal;
    const block = options?.block === true;
    let cursor = options?.offset ?? log.first;
    let remaining = options?.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0 && !signal?.aborted && !closed.aborted) {
      const page = log.read<V>(cursor, Math.min(remaining, PAGE_SIZE), this.#codec);
      if (page.length === 0) {
        if (!block) return;
        await log.waitForAppend(signal, closed);
        continue;
      }
      for (const entry of page) {
        yield entry;
        remaining--;
        // The consumer may abort (or close the backend) while holding an entry.
        if (signal?.aborted || closed.aborted) return;
      }
      cursor = (page[page.length - 1] as QueueEntry<V>).offset + 1;
    }
  }

  flush(): Promise<void> {
    return this.#life.closed ? this.#closedPromise() : Promise.resolve();
  }

  count(): Promise<number> {
    return this.#life.closed ? this.#closedPromise() : Promise.resolve(this.#log.next);
  }

  stats(): Promise<QueueStats> {
    if (this.#life.closed) return this.#closedPromise();
    const total = this.#log.next;
    return Promise.resolve({
      totalCount: total,
      firstOffset: this.#log.first,
      bufferedCount: 0,
      persistedCount: total,
    });
  }

  commit(group: string, nextOffset: number): Promise<void> {
    try {
      this.#life.assertOpen();
      assertName(BACKEND, group, "group");
      assertNonNegativeInteger(BACKEND, nextOffset, "nextOffset");
      this.#log.groups.set(group, nextOffset);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  committed(group: string): Promise<number> {
    try {
      this.#life.assertOpen();
      assertName(BACKEND, group, "group");
      return Promise.resolve(this.#log.groups.get(group) ?? 0);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  trim(options: TrimOptions): Promise<number> {
    try {
      this.#life.assertOpen();
      const before = checkTrimOptions(BACKEND, options)(this.#log.next);
      return Promise.resolve(this.#log.trimBefore(before));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  bucket(index: number): Queue<V> {
    this.#life.assertOpen();
    assertNonNegativeInteger(BACKEND, index, "bucket index");
    if (index !== 0) throw invalidArgument(BACKEND, `bucket index must be below 1, got ${index}`);
    return this;
  }

  #closedPromise<T>(): Promise<T> {
    return Promise.reject(closedError(this.#life.backend));
  }
}
