import type { Codec } from "../../codec.js";
import { closedError, invalidArgument, notSupported } from "../../errors.js";
import type { Lifecycle } from "../../lifecycle.js";
import type {
  GetOptions,
  GroupEntry,
  GroupStreamOptions,
  PutOptions,
  Queue,
  QueueEntry,
  QueueStats,
  ReadOptions,
  StreamOptions,
  TrimOptions,
} from "../../queue.js";
import {
  checkGetOptions,
  checkPutOptions,
  checkReadOptions,
  checkStreamOptions,
  checkTrimOptions,
  encodeValue,
} from "../../queue-input.js";
import { assertName, assertNonNegativeInteger } from "../../validation.js";
import { streamLog } from "./blocking-stream.js";
import { hasGroupState, loadGroupState } from "./group-member.js";
import { formatGroupState, lowWatermark } from "./group-state.js";
import { streamGroup } from "./group-stream.js";
import type { DecodeStored, QueueLogDriver } from "./queue-driver.js";
import { DEFAULT_PAGE_SIZE, readRange } from "./read-range.js";
import { storedDecoder } from "./stored-value.js";
import type { WriteBuffer } from "./write-buffer.js";

const DEFAULT_LIMIT = 100;

/**
 * The public queue of ONE log (an unbucketed topic, or one bucket): checks the lifecycle
 * first (a closed backend is `CLOSED` whatever the arguments), then the arguments, encodes
 * values (a whole batch before anything is written), and hands the driver validated
 * arguments and texts. Hot methods are plain functions returning promises: no async
 * wrapper, no per-call closure.
 */
export class LogQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets = 1;
  readonly #backend: string;
  readonly #life: Lifecycle;
  readonly #log: QueueLogDriver;
  readonly #codec: Codec;
  readonly #decode: DecodeStored<V>;
  readonly #buffer: WriteBuffer | undefined;
  readonly #appendOne: ((text: string) => Promise<number>) | undefined;

  constructor(
    backend: string,
    life: Lifecycle,
    name: string,
    log: QueueLogDriver,
    codec: Codec,
    buffer: WriteBuffer | undefined,
  ) {
    this.name = name;
    this.#backend = backend;
    this.#life = life;
    this.#log = log;
    this.#codec = codec;
    this.#decode = storedDecoder<V>(backend, codec);
    this.#buffer = buffer;
    this.#appendOne = log.appendOne?.bind(log);
  }

  put(value: V, options?: PutOptions): Promise<number> {
    if (this.#life.closed) return this.#rejectClosed();
    let text: string;
    try {
      if (options !== undefined) checkPutOptions(this.#backend, options);
      text = encodeValue(this.#backend, this.#codec, value);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#buffer !== undefined) return this.#buffer.add([text]);
    return this.#appendOne !== undefined ? this.#appendOne(text) : this.#log.append([text]);
  }

  putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    if (this.#life.closed) return this.#rejectClosed();
    const texts: string[] = [];
    try {
      if (!Array.isArray(values)) throw invalidArgument(this.#backend, "putBatch needs an array of values");
      if (options !== undefined) checkPutOptions(this.#backend, options);
      // Encode everything first: one bad value means nothing of the batch is written.
      for (let i = 0; i < values.length; i++) texts.push(encodeValue(this.#backend, this.#codec, values[i], i));
    } catch (err) {
      return Promise.reject(err);
    }
    if (texts.length === 0) return this.count().then((first) => ({ first, count: 0 }));
    const first = this.#buffer !== undefined ? this.#buffer.add(texts) : this.#log.append(texts);
    return first.then((at) => ({ first: at, count: texts.length }));
  }

  get(options?: GetOptions): Promise<QueueEntry<V>[]> {
    if (this.#life.closed) return this.#rejectClosed();
    try {
      checkGetOptions(this.#backend, options);
    } catch (err) {
      return Promise.reject(err);
    }
    const limit = options?.limit ?? DEFAULT_LIMIT;
    if (limit === 0) return Promise.resolve([]);
    return this.#log.read(options?.offset ?? 0, limit, this.#decode);
  }

  stream(options: GroupStreamOptions): AsyncGenerator<GroupEntry<V>>;
  stream(options?: StreamOptions): AsyncGenerator<QueueEntry<V>>;
  async *stream(options?: StreamOptions): AsyncGenerator<QueueEntry<V>> {
    this.#life.assertOpen();
    checkStreamOptions(this.#backend, options);
    const closed = this.#life.signal;
    const stop = options?.signal ? AbortSignal.any([options.signal, closed]) : closed;
    if (options?.group !== undefined) {
      const log = this.#log;
      if (!hasGroupState(log)) throw notSupported(this.#backend, "group streams");
      yield* streamGroup<V>({
        backend: this.#backend,
        log,
        decode: this.#decode,
        group: options.group,
        stop,
        closed,
        limit: options.limit ?? Number.POSITIVE_INFINITY,
        block: options.block === true,
        autoCommit: options.autoCommit,
        leaseMs: options.leaseMs,
        batchSize: options.batchSize,
      });
      return;
    }
    yield* streamLog<V>({
      log: this.#log,
      decode: this.#decode,
      stop,
      offset: options?.offset ?? 0,
      limit: options?.limit ?? Number.POSITIVE_INFINITY,
      block: options?.block === true,
    });
  }

  async *read(fromOffset: number, options?: ReadOptions): AsyncGenerator<QueueEntry<V>> {
    this.#life.assertOpen();
    checkReadOptions(this.#backend, fromOffset, options);
    const to = options?.toOffset ?? Number.POSITIVE_INFINITY;
    yield* readRange(
      this.#log,
      this.#decode,
      this.#life.signal,
      fromOffset,
      to,
      options?.pageSize ?? DEFAULT_PAGE_SIZE,
    );
  }

  async flush(): Promise<void> {
    this.#life.assertOpen();
    if (this.#buffer !== undefined) await this.#buffer.flush();
    if (this.#log.flush !== undefined) await this.#log.flush();
  }

  async count(): Promise<number> {
    this.#life.assertOpen();
    return (await this.#log.next()) + (this.#buffer?.size ?? 0);
  }

  async stats(): Promise<QueueStats> {
    this.#life.assertOpen();
    const stats = await this.#log.stats();
    const held = this.#buffer?.size ?? 0;
    const out: QueueStats = {
      totalCount: stats.totalCount + held,
      firstOffset: stats.firstOffset,
      bufferedCount: (stats.bufferedCount ?? 0) + held,
      persistedCount: stats.persistedCount ?? stats.totalCount,
    };
    for (const key in stats) if (!(key in out) && stats[key] !== undefined) out[key] = stats[key] as number;
    return out;
  }

  async commit(group: string, nextOffset: number): Promise<void> {
    this.#life.assertOpen();
    assertName(this.#backend, group, "group");
    assertNonNegativeInteger(this.#backend, nextOffset, "nextOffset");
    await this.#log.commit(group, nextOffset);
    const log = this.#log;
    if (!hasGroupState(log)) return;
    // A group that streams goes on from here: its claims are dropped with the move.
    for (;;) {
      const text = await log.groupState(group);
      if (text === undefined) return;
      if (await log.swapGroupState(group, text, formatGroupState({ next: nextOffset, claims: [] }))) return;
    }
  }

  async committed(group: string): Promise<number> {
    this.#life.assertOpen();
    assertName(this.#backend, group, "group");
    const log = this.#log;
    if (!hasGroupState(log)) return log.committed(group);
    return lowWatermark((await loadGroupState(this.#backend, log, group)).state);
  }

  async trim(options: TrimOptions): Promise<number> {
    this.#life.assertOpen();
    const before = checkTrimOptions(this.#backend, options);
    return this.#log.trim(options, before);
  }

  bucket(index: number): Queue<V> {
    this.#life.assertOpen();
    assertNonNegativeInteger(this.#backend, index, "bucket index");
    if (index !== 0) throw invalidArgument(this.#backend, `bucket index must be below 1, got ${index}`);
    return this;
  }

  #rejectClosed<T>(): Promise<T> {
    return Promise.reject(closedError(this.#life.backend));
  }
}
