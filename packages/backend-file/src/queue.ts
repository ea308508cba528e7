import { join } from "node:path";
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
import { decodeWith } from "./codec-io.js";
import { BACKEND } from "./errors.js";
import { fileName } from "./names.js";
import type { RawEntry } from "./queue-segment.js";
import { type FileShared, storeState } from "./shared.js";
import { Topic } from "./topic.js";

const DEFAULT_LIMIT = 100;
const PAGE_SIZE = 128;

/** Queue tuning of a file backend (defaults for every topic it opens). */
export interface FileQueueDefaults {
  batchSize: number;
  flushIntervalMs: number;
  maxBuffered: number;
  segmentBytes: number;
  pollIntervalMs: number;
}

/**
 * The topic state of `storageName`, shared by every handle of this backend.
 *
 * @example
 * ```ts
 * const topic = topicOf(shared, "events", defaults);
 * ```
 */
export function topicOf(shared: FileShared, storageName: string, tuning: FileQueueDefaults): Topic {
  return storeState(shared, `queue\u0000${storageName}`, () => {
    const topic = new Topic(join(shared.directory, "queue", fileName(storageName)), {
      ...tuning,
      lock: shared.lock,
      what: `queue ${JSON.stringify(storageName)}`,
      onDamage: shared.onDamage,
    });
    shared.lifecycle.onClose(() => topic.close());
    return topic;
  });
}

/**
 * Opens topic `name` in `queue/<sha256(name)>/` (bucket `i` as topic `name + "\u0000" + i`).
 *
 * @example
 * ```ts
 * const q = createFileQueue<string>(shared, "events", undefined, defaults);
 * await q.put("signup");
 * ```
 */
export function createFileQueue<V>(
  shared: FileShared,
  name: string,
  options: QueueOptions | undefined,
  defaults: FileQueueDefaults,
): Queue<V> {
  assertName(BACKEND, name, "topic name");
  const { codec, buckets } = checkQueueOptions(BACKEND, options);
  const tuning: FileQueueDefaults = {
    ...defaults,
    batchSize: options?.batchSize ?? defaults.batchSize,
    flushIntervalMs: options?.flushIntervalMs ?? defaults.flushIntervalMs,
    maxBuffered: options?.maxBuffered ?? defaults.maxBuffered,
  };
  if (buckets === 1) return new FileQueue<V>(shared, topicOf(shared, name, tuning), codec, name);
  const children: FileQueue<V>[] = [];
  for (let i = 0; i < buckets; i++) {
    children.push(new FileQueue<V>(shared, topicOf(shared, `${name}\u0000${i}`, tuning), codec, name));
  }
  return createBucketedQueue<V>({ backend: BACKEND, lifecycle: shared.lifecycle, name, children });
}

/** One log: an unbucketed topic, or one bucket. */
class FileQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets = 1;
  readonly #shared: FileShared;
  readonly #topic: Topic;
  readonly #codec: Codec;

  constructor(shared: FileShared, topic: Topic, codec: Codec, name: string) {
    this.#shared = shared;
    this.#topic = topic;
    this.#codec = codec;
    this.name = name;
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    return this.#shared.lifecycle.run(fn);
  }

  #decode(raw: RawEntry): QueueEntry<V> {
    return { offset: raw.offset, value: decodeWith(this.#codec, raw.text) as V, timestamp: raw.timestamp };
  }

  put(value: V, options?: PutOptions): Promise<number> {
    return this.#run(async () => {
      if (options !== undefined) checkPutOptions(BACKEND, options);
      return this.#topic.append([encodeValue(BACKEND, this.#codec, value)]);
    });
  }

  putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    return this.#run(async () => {
      if (!Array.isArray(values)) throw invalidArgument(BACKEND, "putBatch needs an array of values");
      if (options !== undefined) checkPutOptions(BACKEND, options);
      const encoded = values.map((v, i) => encodeValue(BACKEND, this.#codec, v, i));
      if (encoded.length === 0) {
        const next = await this.#topic.serial(async () => {
          await this.#topic.refresh();
          return this.#topic.next;
        });
        return { first: next, count: 0 };
      }
      return { first: await this.#topic.append(encoded), count: encoded.length };
    });
  }

  /** Raw page from `offset` (raised to the first kept offset), after catching up. */
  #page(offset: number | undefined, limit: number): Promise<RawEntry[]> {
    const now = this.#topic.readNow(offset, limit);
    if (now !== undefined) return Promise.resolve(now);
    return this.#topic.serial(async () => {
      await this.#topic.refresh();
      const first = this.#topic.log.firstKept();
      return this.#topic.read(Math.max(offset ?? first, first), limit);
    });
  }

  get(options?: GetOptions): Promise<QueueEntry<V>[]> {
    return this.#run(() => {
      checkGetOptions(BACKEND, options);
      return this.#page(options?.offset, options?.limit ?? DEFAULT_LIMIT).then((raw) =>
        raw.map((r) => this.#decode(r)),
      );
    });
  }

  async *stream(options?: StreamOptions): AsyncGenerator<QueueEntry<V>> {
    this.#shared.lifecycle.assertOpen();
    checkStreamOptions(BACKEND, options);
    const closed = this.#shared.lifecycle.signal;
    const signal = options?.signal;
    const block = options?.block === true;
    let cursor = options?.offset;
    let remaining = options?.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0 && !signal?.aborted && !closed.aborted) {
      const page = await this.#run(() => this.#page(cursor, Math.min(remaining, PAGE_SIZE))).catch((err) => {
        if (closed.aborted) return undefined;
        throw err;
      });
      if (page === undefined) return;
      if (page.length === 0) {
        if (!block) return;
        if (cursor === undefined) cursor = this.#topic.next;
        await this.#topic.waitForAppend([signal, closed]);
        continue;
      }
      for (const raw of page) {
        yield this.#decode(raw);
        remaining--;
        if (signal?.aborted || closed.aborted || remaining <= 0) return;
      }
      cursor = (page.at(-1) as RawEntry).offset + 1;
    }
  }

  flush(): Promise<void> {
    return this.#run(() => this.#topic.flush());
  }

  count(): Promise<number> {
    return this.#run(() =>
      this.#topic.serial(async () => {
        await this.#topic.refresh();
        return this.#topic.next;
      }),
    );
  }

  stats(): Promise<QueueStats> {
    return this.#run(() =>
      this.#topic.serial(async () => {
        await this.#topic.refresh();
        const first = this.#topic.log.firstKept();
        return {
          totalCount: this.#topic.next,
          firstOffset: Math.min(first, this.#topic.next),
          bufferedCount: this.#topic.buffered,
          persistedCount: this.#topic.persisted,
          truncatedBytes: this.#topic.log.truncatedBytes,
          damagedRecords: this.#topic.log.damagedRecords,
          segments: this.#topic.log.segmentCount,
        };
      }),
    );
  }

  commit(group: string, nextOffset: number): Promise<void> {
    return this.#run(async () => {
      assertName(BACKEND, group, "group");
      assertNonNegativeInteger(BACKEND, nextOffset, "nextOffset");
      await this.#topic.exclusive(async () => {
        const meta = await this.#topic.readMeta();
        meta.groups[group] = nextOffset;
        await this.#topic.log.writeMeta(meta);
      });
    });
  }

  committed(group: string): Promise<number> {
    return this.#run(async () => {
      assertName(BACKEND, group, "group");
      const meta = await this.#topic.readMeta();
      return Object.hasOwn(meta.groups, group) ? (meta.groups[group] as number) : 0;
    });
  }

  trim(options: TrimOptions): Promise<number> {
    return this.#run(async () => {
      const target = checkTrimOptions(BACKEND, options);
      return this.#topic.exclusive(async () => {
        const meta = await this.#topic.readMeta();
        const next = this.#topic.log.next;
        const first = Math.max(meta.first, Math.min(target(next), next));
        const dropped = first - meta.first;
        if (dropped <= 0) return 0;
        meta.first = first;
        await this.#topic.log.writeMeta(meta);
        await this.#topic.log.dropBelow(first);
        return dropped;
      });
    });
  }

  bucket(index: number): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    assertNonNegativeInteger(BACKEND, index, "bucket index");
    if (index !== 0) throw invalidArgument(BACKEND, `bucket index must be below 1, got ${index}`);
    return this;
  }
}
