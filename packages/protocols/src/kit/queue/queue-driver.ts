import type { Lifecycle } from "../../lifecycle.js";
import type { QueueEntry, QueueOptions, TrimOptions } from "../../queue.js";

/**
 * Turns one stored text into a value. The layer hands a driver one pre-bound function per
 * queue; it throws `CORRUPTION` (with the codec's error as `cause`) for text the codec
 * cannot read, so a driver never calls the codec itself.
 *
 * @example
 * ```ts
 * const entry = { offset: row.seq, value: decode(row.value), timestamp: row.ts };
 * ```
 */
export type DecodeStored<V> = (text: string) => V;

/**
 * Counters a log driver reports; the layer adds `bufferedCount` for writes it holds and
 * fills `bufferedCount`/`persistedCount` when the driver leaves them out.
 *
 * @example
 * ```ts
 * const stats: QueueLogStats = { totalCount: next, firstOffset: first };
 * ```
 */
export interface QueueLogStats {
  /** Entries ever appended (trimmed included) = the next offset. */
  totalCount: number;
  /** Offset of the oldest entry still kept. */
  firstOffset: number;
  /** Only a driver that buffers natively: accepted but not yet durable. */
  bufferedCount?: number;
  /** Only a driver that buffers natively: durable and visible to other processes. */
  persistedCount?: number;
  [extra: string]: number | undefined;
}

/**
 * A blocking reader's interest in new entries of one log, armed before the stream's first
 * read so an append between a read and the wait is never missed. Backends with native
 * blocking (LISTEN/NOTIFY, `XREAD BLOCK`, in-process wakeups) supply it; without it the
 * layer polls.
 *
 * @example
 * ```ts
 * watch: () => ({
 *   wait: async (cursor, _limit, _decode, stop) => {
 *     if (log.next <= cursor) await log.waitForAppend(stop);
 *     return undefined; // read again
 *   },
 *   dispose: () => {},
 * }),
 * ```
 */
export interface QueueWatch<V> {
  /** Resolves once the watch is armed on the server (e.g. `LISTEN` issued). */
  ready?(): Promise<void>;
  /**
   * Waits until entries at or after `cursor` may exist (or `stop` aborts, or a fallback
   * timeout passes). It may return them (at most `limit`, decoded with `decode`);
   * `[]`/`undefined` means "read again". An active wait must keep the process alive.
   */
  wait(cursor: number, limit: number, decode: DecodeStored<V>, stop: AbortSignal): Promise<QueueEntry<V>[] | undefined>;
  /** Called when a wait or read failed with `CONNECTION`/`TIMEOUT` (e.g. replace a connection). */
  recover?(error: unknown): void;
  /** Releases what the watch holds. */
  dispose(): void;
}

/**
 * Storage of ONE log: an unbucketed topic or one bucket of a topic. Arguments arrive
 * validated (integers are non-negative, names are valid) and values arrive encoded.
 *
 * Error contract: a storage failure is thrown as the backend's `BackendError`
 * (`CONNECTION`, `TIMEOUT`, `UNAVAILABLE`, …); the layer passes `BackendError`s through and
 * decoding failures are already `CORRUPTION`. Calls after `close()` may throw `CLOSED`.
 *
 * @example
 * ```ts
 * const log: QueueLogDriver = {
 *   append: async (texts) => { const first = rows.length; rows.push(...texts); return first; },
 *   read: async (offset, limit, decode) => rows.slice(offset, offset + limit).map((t, i) =>
 *     ({ offset: offset + i, value: decode(t), timestamp: 0 })),
 *   next: async () => rows.length,
 *   stats: async () => ({ totalCount: rows.length, firstOffset: 0 }),
 *   commit: async (group, n) => void groups.set(group, n),
 *   committed: async (group) => groups.get(group) ?? 0,
 *   trim: async () => 0,
 * };
 * ```
 */
export interface QueueLogDriver {
  /** Appends `texts` (at least one) at consecutive offsets, atomically; resolves with the first. */
  append(texts: readonly string[]): Promise<number>;
  /** Optional fast path of a single `put` (no array); the layer uses `append([text])` without it. */
  appendOne?(text: string): Promise<number>;
  /**
   * Entries from `offset` (raised to the first kept offset), at most `limit` (≥ 1), built
   * as `{ offset, value: decode(text), timestamp }`.
   */
  read<V>(offset: number, limit: number, decode: DecodeStored<V>): Promise<QueueEntry<V>[]>;
  /** The next offset (= entries ever appended). */
  next(): Promise<number>;
  stats(): Promise<QueueLogStats>;
  commit(group: string, nextOffset: number): Promise<void>;
  committed(group: string): Promise<number>;
  /** Drops entries before `before(next)` (never past the end); resolves with how many went. */
  trim(options: TrimOptions, before: (next: number) => number): Promise<number>;
  /** Only a driver that buffers natively: makes accepted writes durable. */
  flush?(): Promise<void>;
  /** Native blocking: arms a watch for a blocking stream (see {@link QueueWatch}). */
  watch?<V>(): QueueWatch<V>;
  /**
   * Group streams: the group's claim record — a short text the layer owns — or undefined
   * when the group never streamed. Durable where the log is. Without it (and
   * {@link swapGroupState}) `stream({ group })` is `NOT_SUPPORTED`.
   */
  groupState?(group: string): Promise<string | undefined>;
  /**
   * Replaces the group's claim record with `next` only if it is still `expected`
   * (`undefined`: there is none yet), atomically across every client of the store;
   * resolves true when it did. A compare-and-set: all of the group logic is the layer's.
   */
  swapGroupState?(group: string, expected: string | undefined, next: string): Promise<boolean>;
}

/**
 * What a backend supplies for `createQueue`: its name and lifecycle, and how to open the
 * storage of one log. Everything else — validation, `CLOSED`, codec calls, buckets,
 * write buffering, stats, the blocking stream loop — is the layer's.
 *
 * @example
 * ```ts
 * const driver: QueueDriver = {
 *   backend: "acme",
 *   lifecycle,
 *   openLog: (storageName) => openAcmeLog(storageName),
 * };
 * const q = createQueue(driver, "events", { buckets: 4 });
 * ```
 */
export interface QueueDriver {
  /** The backend's name, for error messages (`[name] …`). */
  readonly backend: string;
  /** The backend's lifecycle: calls on a closed backend are `CLOSED`, close aborts streams. */
  readonly lifecycle: Lifecycle;
  /**
   * True when the driver honours `batchSize`/`flushIntervalMs`/`maxBuffered` itself (it
   * gets them in `openLog`'s options, and implements `flush`); otherwise the layer
   * buffers writes when any of them is set.
   */
  readonly nativeBuffering?: boolean;
  /** Separator between topic and bucket index in storage names (default `"\u0000"`). */
  readonly bucketSeparator?: string;
  /** Opens (or joins) the storage of `storageName`; `options` are validated. */
  openLog(storageName: string, options: QueueOptions | undefined): QueueLogDriver;
}
