import type { Codec } from "./codec.js";

/**
 * Options of `backend.queue(topic, options)`.
 *
 * @example
 * ```ts
 * backend.queue("events", { buckets: 8, batchSize: 100, flushIntervalMs: 10 });
 * ```
 */
export interface QueueOptions {
  /** Split the topic into this many independent logs (`capabilities.buckets`). Default 1. */
  buckets?: number;
  /** Buffered backends flush after this many writes. */
  batchSize?: number;
  /** Buffered backends flush at least this often (ms). */
  flushIntervalMs?: number;
  /** Most writes held in a buffer; a full buffer makes `put` wait. */
  maxBuffered?: number;
  /** Value codec; defaults to {@link defaultCodec}. */
  codec?: Codec;
}

/** One entry of a topic. */
export interface QueueEntry<V = unknown> {
  /** Dense offset from 0 within the topic (or bucket). */
  offset: number;
  value: V;
  /** Milliseconds since the epoch when it was appended. */
  timestamp: number;
}

/** Options of `put` / `putBatch`. */
export interface PutOptions {
  /** Routes to bucket `bucketFor(key, buckets)` on a bucketed queue. */
  key?: string;
}

/** Options of `get`. */
export interface GetOptions {
  /** First offset to read (default: the first entry still kept). */
  offset?: number;
  /** Most entries to return (default 100). */
  limit?: number;
}

/** Options of `stream`. */
export interface StreamOptions {
  /** First offset to read (default: the first entry still kept). */
  offset?: number;
  /** Stop after this many entries. */
  limit?: number;
  /** Wait for new entries at the end instead of ending. */
  block?: boolean;
  /** Ends the iteration cleanly when aborted. */
  signal?: AbortSignal;
  /**
   * Consumer group: each entry goes to one member of the group (at least once), the group
   * resumes after its last commit (see {@link GroupStreamOptions}). Not with `offset`.
   */
  group?: string;
  /** Group streams only: commit each batch once it is handled (default true). */
  autoCommit?: boolean;
  /** Group streams only: how long a member may hold entries before they are redelivered (ms, default 30000). */
  leaseMs?: number;
  /** Group streams only: entries claimed (and, with `autoCommit`, committed) together (default 16). */
  batchSize?: number;
}

/**
 * Options of a group stream: `stream({ group, autoCommit, leaseMs, batchSize })`.
 *
 * A member claims a batch of entries with a lease, the way a Kafka consumer polls or a
 * BullMQ worker takes a job. With `autoCommit` (the default) the batch is committed once
 * the loop asks for the entry after its last one; with `autoCommit: false` the caller
 * commits with `entry.commit()` (this entry and the earlier ones of its batch). Entries
 * not committed when the lease ends — the member crashed, or is too slow — are redelivered
 * to the group; entries of a member that stops early are handed on at once.
 *
 * @example
 * ```ts
 * for await (const entry of q.stream({ group: "mailer", autoCommit: false, block: true, signal })) {
 *   await send(entry.value);
 *   await entry.commit();
 * }
 * ```
 */
export interface GroupStreamOptions extends Omit<StreamOptions, "offset" | "group"> {
  group: string;
}

/** An entry of a group stream: commit it once it is handled. */
export interface GroupEntry<V = unknown> extends QueueEntry<V> {
  /**
   * Marks this entry and the earlier entries of its batch handled, durably. Rejects with
   * `CONFLICT` when the lease ended first and the entries went to another member.
   */
  commit(): Promise<void>;
}

/** Options of `read`. */
export interface ReadOptions {
  /** Stop before this offset (exclusive); default: the end as it is when the reader gets there. */
  toOffset?: number;
  /** Entries fetched per round trip (default 256, at most 10000). */
  pageSize?: number;
}

/** Counters of one bucket, in {@link QueueStats.perBucket}. */
export interface QueueBucketStats {
  bucket: number;
  /** Entries ever appended to the bucket = its next offset. */
  totalCount: number;
  /** Offset of the bucket's oldest entry still kept. */
  firstOffset: number;
  bufferedCount: number;
  persistedCount: number;
}

/** Counters of a topic. Backends may add their own numbers. */
export interface QueueStats {
  /** Entries ever appended (trimmed included) = the next offset. */
  totalCount: number;
  /** Offset of the oldest entry still kept. */
  firstOffset: number;
  /** Accepted but not yet durable. */
  bufferedCount: number;
  /** Durable and visible to other processes. */
  persistedCount: number;
  /** Bucketed queues only: the counters of each bucket, in bucket order. */
  perBucket?: readonly QueueBucketStats[];
  [extra: string]: number | readonly QueueBucketStats[] | undefined;
}

/** What to trim: everything before an offset, or all but the newest `maxLength`. */
export type TrimOptions = { before: number } | { maxLength: number };

/**
 * An append-only log with dense offsets, blocking streams and consumer groups.
 *
 * Semantics every backend shares:
 * - `get({ offset, limit = 100 })`: an offset below `firstOffset` (trimmed) starts at
 *   `firstOffset`; an offset at or past the end returns `[]`.
 * - `stream()` reads in pages (memory stays bounded however long the topic); with
 *   `block: true` it waits at the end, ends cleanly when `signal` aborts or the backend
 *   closes.
 * - Buckets (`{ buckets: n > 1 }`): `put`/`putBatch` need `options.key` (INVALID_ARGUMENT
 *   without it) and route to `bucketFor(key, n)`; offsets are per bucket. On the parent,
 *   `get`/`stream`/`commit`/`committed`/`trim` are INVALID_ARGUMENT (read `bucket(i)`);
 *   `count`/`stats` sum over buckets; `flush` flushes all. On an unbucketed queue
 *   `bucket(0)` is the queue itself. Storage tip: bucket i of topic t can be stored as
 *   topic `t + "\u0000" + i` — names never contain control characters, so it cannot clash.
 * - `putBatch([])` returns `{ first: <next offset>, count: 0 }` and writes nothing.
 * - `commit(group, n)` stores `n` as is (it may move backwards, to replay); `n` must be a
 *   non-negative integer. On a group that streams it also drops the members' claims: they
 *   go on from `n`. `committed(group)` of a streaming group is the offset below which every
 *   entry is committed.
 * - `read(from, { toOffset })` pages through a range; `stream({ group })` shares entries
 *   among a group's members (PROTOCOLS.md §2, "Group streams").
 *
 * @example
 * ```ts
 * const q = backend.queue<Event>("events");
 * const offset = await q.put({ type: "signup" });
 * for await (const e of q.stream({ offset, block: true, signal })) handle(e.value);
 * ```
 */
export interface Queue<V = unknown> {
  readonly name: string;
  /** Number of buckets (1 for an unbucketed queue). */
  readonly buckets: number;
  /** Appends one value; resolves with its offset (within its bucket). */
  put(value: V, options?: PutOptions): Promise<number>;
  /** Appends values at consecutive offsets, contiguous even with concurrent writers. */
  putBatch(values: readonly V[], options?: PutOptions): Promise<{ first: number; count: number }>;
  get(options?: GetOptions): Promise<QueueEntry<V>[]>;
  /** Entries in order; with `group`, shared among the group's members (see {@link GroupStreamOptions}). */
  stream(options: GroupStreamOptions): AsyncIterable<GroupEntry<V>>;
  stream(options?: StreamOptions): AsyncIterable<QueueEntry<V>>;
  /**
   * Every entry from `fromOffset` up to `toOffset` (or the end), fetched `pageSize` at a
   * time: the "no limit means all" read, with memory bounded by a page.
   */
  read(fromOffset: number, options?: ReadOptions): AsyncIterable<QueueEntry<V>>;
  /** Makes every write accepted so far durable and visible to other processes. */
  flush(): Promise<void>;
  /** Entries ever appended, trimmed included. */
  count(): Promise<number>;
  stats(): Promise<QueueStats>;
  /** Stores a consumer group's next offset. */
  commit(group: string, nextOffset: number): Promise<void>;
  /** A group's next offset; 0 for a new group. */
  committed(group: string): Promise<number>;
  /** Drops the oldest entries; returns how many were dropped. Later offsets don't change. */
  trim(options: TrimOptions): Promise<number>;
  /** One bucket of a bucketed queue, as a queue of its own (`0 <= index < buckets`). */
  bucket(index: number): Queue<V>;
}

/**
 * The bucket a key routes to: FNV-1a (32-bit) over the key's UTF-8 bytes, modulo
 * `buckets`. Stable, and the same on every backend.
 *
 * @example
 * ```ts
 * bucketFor("user:42", 8); // always the same number in 0..7
 * ```
 */
export function bucketFor(key: string, buckets: number): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(key, "utf8");
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % buckets;
}
