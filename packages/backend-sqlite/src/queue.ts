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
import type { SqliteShared } from "./shared.js";
import { decodeWith } from "./values.js";

const DEFAULT_LIMIT = 100;
/** Entries a stream reads at a time, so a long topic never sits in memory. */
const PAGE_SIZE = 256;

// The next offset is one past the newest entry (a seek to the end of the primary key);
// when trim has emptied the log it is the `next_offset` trim recorded in core_queue_topics.
// Offsets are therefore dense and never reused, and a single put is one statement: atomic
// across processes without a transaction and writing one page, not two tables.
const NEXT = `coalesce((SELECT seq + 1 FROM core_queue WHERE topic = @topic ORDER BY seq DESC LIMIT 1),
  (SELECT next_offset FROM core_queue_topics WHERE topic = @topic), 0)`;
// Positional (topic, topic, topic, value, ts): the hot single put binds values, not an object.
const PUT = `INSERT INTO core_queue (topic, seq, value, ts) VALUES (?, ${NEXT.replaceAll("@topic", "?")}, ?, CAST(? AS INTEGER))
  RETURNING seq`;
const NEXT_OFFSET = `SELECT ${NEXT}`;
// A batch inserts up to ROWS_PER_INSERT entries per statement: one statement run instead
// of one per entry saves the per-run cost of binding and stepping (about a fifth of a
// putBatch(10) on :memory:; on a file the WAL pages written dominate either way). The
// texts are built once per row count, so the statement cache hashes the same strings.
const ROWS_PER_INSERT = 32;
const INSERT_ROWS: string[] = [];
function insertRows(n: number): string {
  let text = INSERT_ROWS[n];
  if (text === undefined) {
    const rows = Array.from({ length: n }, () => "(?, CAST(? AS INTEGER), ?, CAST(? AS INTEGER))").join(", ");
    text = `INSERT INTO core_queue (topic, seq, value, ts) VALUES ${rows}`;
    INSERT_ROWS[n] = text;
  }
  return text;
}
const READ = "SELECT seq, value, ts FROM core_queue WHERE topic = ? AND seq >= ? ORDER BY seq LIMIT CAST(? AS INTEGER)";
const POSITION = `SELECT ${NEXT} AS next,
  coalesce((SELECT first_offset FROM core_queue_topics WHERE topic = @topic), 0) AS first`;
const DROP = "DELETE FROM core_queue WHERE topic = ? AND seq < ?";
const TRIMMED = `INSERT INTO core_queue_topics (topic, next_offset, first_offset) VALUES (?, CAST(? AS INTEGER), CAST(? AS INTEGER))
  ON CONFLICT (topic) DO UPDATE SET next_offset = excluded.next_offset, first_offset = excluded.first_offset`;
const COMMIT = `INSERT INTO core_queue_groups (topic, grp, next_offset) VALUES (?, ?, CAST(? AS INTEGER))
  ON CONFLICT (topic, grp) DO UPDATE SET next_offset = excluded.next_offset`;
const COMMITTED = "SELECT next_offset FROM core_queue_groups WHERE topic = ? AND grp = ?";

/**
 * Opens a topic stored in the shared `core_queue` table. The next offset is one past the
 * newest entry (or, once trim emptied the log, the position trim recorded in
 * `core_queue_topics`), taken inside the writing statement or `BEGIN IMMEDIATE`
 * transaction, so offsets are dense, contiguous per batch and never reused, even with
 * writers in other processes or after `trim`. Bucket `i` of topic `t` is stored as topic `t + "\u0000" + i`.
 *
 * @example
 * ```ts
 * const q = createSqliteQueue<string>(shared, "events");
 * await q.put("signup"); // 0
 * ```
 */
export function createSqliteQueue<V>(shared: SqliteShared, name: string, options?: QueueOptions): Queue<V> {
  assertName(BACKEND, name, "topic name");
  const { codec, buckets } = checkQueueOptions(BACKEND, options);
  if (buckets === 1) return new SqliteQueue<V>(shared, name, name, codec);
  const children: SqliteQueue<V>[] = [];
  for (let i = 0; i < buckets; i++) children.push(new SqliteQueue<V>(shared, name, `${name}\u0000${i}`, codec));
  return createBucketedQueue<V>({ backend: BACKEND, lifecycle: shared.lifecycle, name, children });
}

/** One log: an unbucketed topic, or one bucket of a bucketed one. */
class SqliteQueue<V> implements Queue<V> {
  readonly name: string;
  readonly buckets = 1;
  readonly #shared: SqliteShared;
  readonly #topic: string;
  readonly #codec: Codec;
  readonly #wakeKey: string;

  constructor(shared: SqliteShared, name: string, topic: string, codec: Codec) {
    this.#shared = shared;
    this.name = name;
    this.#topic = topic;
    this.#codec = codec;
    this.#wakeKey = `queue:${topic}`;
  }

  /**
   * One entry: a single statement, atomic across processes without a transaction. Run with
   * `all()`, never `get()`: in autocommit a RETURNING statement commits when it completes,
   * and `get()` stops after the first row and resets it, which drops a failed commit
   * (SQLITE_FULL) on the floor — the offset would be returned for an entry never stored.
   */
  #appendOne(encoded: string): number {
    const topic = this.#topic;
    const offset = this.#shared.prepare(PUT).pluck().all(topic, topic, topic, encoded, Date.now())[0] as number;
    this.#shared.notifier.notify(this.#wakeKey);
    return offset;
  }

  #append(encoded: readonly string[]): number {
    if (encoded.length === 1) return this.#appendOne(encoded[0] as string);
    const { prepare } = this.#shared;
    const ts = Date.now();
    const topic = this.#topic;
    const first = this.#shared.write(() => {
      const start = prepare(NEXT_OFFSET).pluck().get({ topic }) as number;
      for (let from = 0; from < encoded.length; from += ROWS_PER_INSERT) {
        const n = Math.min(ROWS_PER_INSERT, encoded.length - from);
        const params: unknown[] = new Array(n * 4);
        for (let i = 0; i < n; i++) {
          params[i * 4] = topic;
          params[i * 4 + 1] = start + from + i;
          params[i * 4 + 2] = encoded[from + i];
          params[i * 4 + 3] = ts;
        }
        prepare(insertRows(n)).run(params);
      }
      return start;
    });
    this.#shared.notifier.notify(this.#wakeKey);
    return first;
  }

  #next(): number {
    return this.#shared.prepare(NEXT_OFFSET).pluck().get({ topic: this.#topic }) as number;
  }

  #position(): { next: number; first: number } {
    return this.#shared.prepare(POSITION).get({ topic: this.#topic }) as { next: number; first: number };
  }

  #read(offset: number, limit: number): QueueEntry<V>[] {
    if (limit === 0) return [];
    const rows = this.#shared.prepare(READ).all(this.#topic, offset, limit) as {
      seq: number;
      value: string;
      ts: number;
    }[];
    return rows.map((row) => ({ offset: row.seq, value: decodeWith(this.#codec, row.value) as V, timestamp: row.ts }));
  }

  put(value: V, options?: PutOptions): Promise<number> {
    let encoded: string;
    try {
      if (options !== undefined) checkPutOptions(BACKEND, options);
      encoded = encodeValue(BACKEND, this.#codec, value);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => this.#appendOne(encoded));
  }

  putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }> {
    let encoded: string[];
    try {
      if (!Array.isArray(values)) throw invalidArgument(BACKEND, "putBatch needs an array of values");
      if (options !== undefined) checkPutOptions(BACKEND, options);
      // Encode everything first: one bad value means nothing of the batch is written.
      encoded = values.map((value, i) => encodeValue(BACKEND, this.#codec, value, i));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      if (encoded.length === 0) return { first: this.#next(), count: 0 };
      return { first: this.#append(encoded), count: encoded.length };
    });
  }

  get(options?: GetOptions): Promise<QueueEntry<V>[]> {
    try {
      checkGetOptions(BACKEND, options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => this.#read(options?.offset ?? 0, options?.limit ?? DEFAULT_LIMIT));
  }

  async *stream(options?: StreamOptions): AsyncGenerator<QueueEntry<V>> {
    this.#shared.lifecycle.assertOpen();
    checkStreamOptions(BACKEND, options);
    const { notifier, lifecycle } = this.#shared;
    const closed = lifecycle.signal;
    const signal = options?.signal;
    const block = options?.block === true;
    let cursor = options?.offset ?? 0;
    let remaining = options?.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0 && !signal?.aborted && !closed.aborted) {
      const { page, mark } = await this.#shared.run(() => {
        // Marked first: a write committed after it (here or elsewhere) wakes the wait below.
        const mark = block ? notifier.mark(this.#wakeKey) : undefined;
        return { page: this.#read(cursor, Math.min(remaining, PAGE_SIZE)), mark };
      });
      if (page.length === 0) {
        if (mark === undefined) return;
        await notifier.wait(this.#wakeKey, mark, signal, closed);
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
    // Every write is committed before its promise resolves: nothing is ever buffered.
    return this.#shared.run(() => undefined);
  }

  count(): Promise<number> {
    return this.#shared.run(() => this.#next());
  }

  stats(): Promise<QueueStats> {
    return this.#shared.run(() => {
      const { next, first } = this.#position();
      return { totalCount: next, firstOffset: first, bufferedCount: 0, persistedCount: next };
    });
  }

  commit(group: string, nextOffset: number): Promise<void> {
    try {
      assertName(BACKEND, group, "group");
      assertNonNegativeInteger(BACKEND, nextOffset, "nextOffset");
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => {
      this.#shared.prepare(COMMIT).run(this.#topic, group, nextOffset);
    });
  }

  committed(group: string): Promise<number> {
    try {
      assertName(BACKEND, group, "group");
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() => (this.#shared.prepare(COMMITTED).pluck().get(this.#topic, group) as number) ?? 0);
  }

  trim(options: TrimOptions): Promise<number> {
    let target: (next: number) => number;
    try {
      target = checkTrimOptions(BACKEND, options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#shared.run(() =>
      this.#shared.write(() => {
        const { next, first } = this.#position();
        const before = Math.min(target(next), next);
        if (before <= first) return 0;
        this.#shared.prepare(DROP).run(this.#topic, before);
        // Recorded so the offsets go on from `next` even if the log is now empty.
        this.#shared.prepare(TRIMMED).run(this.#topic, next, before);
        return before - first;
      }),
    );
  }

  bucket(index: number): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    assertNonNegativeInteger(BACKEND, index, "bucket index");
    if (index !== 0) throw invalidArgument(BACKEND, `bucket index must be below 1, got ${index}`);
    return this;
  }
}
