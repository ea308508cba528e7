import type { Codec } from "../../codec.js";
import type { CacheCounters } from "../cache/cache-driver.js";
import type { MaybePromise } from "../records/record-driver.js";

/**
 * A row a cache statement answers; which columns it has is said per statement in
 * {@link SqlCacheStatements}.
 *
 * @example
 * ```ts
 * const row: SqlCacheRow = { value: "1", expires_at: null };
 * ```
 */
export type SqlCacheRow = Record<string, unknown>;

/**
 * How the SQL cache store reaches its database. Arguments are positional, in the slots
 * {@link SqlCacheStatements} names (`$1` is always the namespace); an array argument is a
 * list of keys, values or TTLs for the dialect to bind as it can (e.g. as JSON).
 *
 * @example
 * ```ts
 * const executor: SqlCacheExecutor = {
 *   all: (op, text, args) => db.prepare(text).all(args),
 *   now: (fn) => fn(),
 *   transaction: (fn) => db.transaction(fn)(),
 * };
 * ```
 */
export interface SqlCacheExecutor {
  /** Runs one statement; its rows (none for a statement without `RETURNING`). `op` names it in errors. */
  all(op: string, text: string, args: readonly unknown[]): MaybePromise<SqlCacheRow[]>;
  /** Optional: the first row only (a driver's single-row read skips building an array). */
  first?(op: string, text: string, args: readonly unknown[]): MaybePromise<SqlCacheRow | undefined>;
  /** Runs `fn` when the connection is free: synchronously if it is (no promise), else queued. */
  now<T>(fn: () => MaybePromise<T>): MaybePromise<T>;
  /**
   * Runs `fn` in one transaction; its statements answer synchronously. Only called where a
   * statement below is absent: an asynchronous dialect supplies them all and never sees it.
   */
  transaction<T>(fn: () => T): MaybePromise<T>;
}

/**
 * The SQL text of a cache, per dialect. Slots: `$1` namespace, `$2` key (or keys),
 * `$3` value text (or texts; `by` for increment), `$4` TTL in ms or null (or TTLs),
 * `$5` maxEntries. Reads answer `value`, and `expires_at` (epoch ms) where the SQL does not
 * filter expired rows itself (the store then deletes them lazily with `deleteExpired`).
 * Counts answer one row `{ n }` / `{ evicted }`, or one row per match with a truthy `live`.
 * An optional statement is replaced by its plain form inside {@link SqlCacheExecutor.transaction}.
 *
 * @example
 * ```ts
 * const statements: Partial<SqlCacheStatements> = { get: "SELECT value FROM c WHERE ns = $1 AND key = $2" };
 * ```
 */
export interface SqlCacheStatements {
  /** `$1 $2` → value. */
  readonly get: string;
  /** `$1 $2` → value, refreshing recency (maxEntries). */
  readonly getTouch: string;
  /** `$1 $2`: deletes the entry if expired. */
  readonly deleteExpired?: string;
  /** `$1`, `$2` distinct keys → key, value. */
  readonly getMany: string;
  /** {@link getMany} refreshing recency. */
  readonly getManyTouch: string;
  /** `$1 $2 $3 $4`: upsert keeping recency of an existing entry. */
  readonly set: string;
  /** {@link set} refreshing recency (maxEntries). */
  readonly setTouch: string;
  /** `$1 $2 $3 $4 $5`: {@link setTouch} plus eviction in one statement. */
  readonly setEvict?: string;
  /** `$1`, `$2 $3 $4` arrays of distinct keys, in batch order (the last is the newest). */
  readonly setMany?: string;
  /** {@link setMany} without `$4` (no entry has a TTL). */
  readonly setManyForever?: string;
  /**
   * Without {@link setMany}: a statement writing `count` rows at once from plain `?`
   * placeholders, five per row — namespace, key, value, expiry (epoch ms or null), recency;
   * `touch` also refreshes the recency of rows that exist (maxEntries). Batches then cost
   * one statement per 32 rows instead of one per row, and the recency comes from one
   * {@link nextAccess} read per batch (the values are plain constants, no join per row).
   */
  readonly setRows?: (count: number, touch: boolean) => string;
  /** With {@link setRows}: `$1` → `next`, the recency value a new write of the namespace takes. */
  readonly nextAccess?: string;
  /** {@link setMany} plus eviction (`$5`), for batches within maxEntries. */
  readonly setManyEvict?: string;
  /** `$1 $2 $3 $4` → a row if written (absent or expired before). */
  readonly add: string;
  /** {@link add} plus eviction → `written`, `evicted`. */
  readonly addEvict?: string;
  /** `$1 $2 $3 $4` → the new value text; no row when the stored value cannot take it. */
  readonly increment: string;
  /** {@link increment} refreshing recency (default: {@link increment}). */
  readonly incrementTouch?: string;
  /** {@link increment} plus eviction → `value`, `evicted`. */
  readonly incrementEvict?: string;
  /** `$1`, `$2` keys → count of live entries deleted. */
  readonly deleteMany: string;
  /** `$1 $2` → `ms` left (null: no expiry); no row when missing or expired. */
  readonly ttl: string;
  /** `$1`, `$2` after (exclusive), `$3` prefix argument, `$4` limit → live `key`s in order. */
  readonly keysPage: string;
  /** `$1` → count of live entries deleted. */
  readonly clear: string;
  /** `$1` → `n` live entries, `stored` rows. */
  readonly count: string;
  /** `$1`: deletes expired entries. */
  readonly sweep: string;
  /**
   * `$1`, `$2` maxEntries, run in order: the last counts the live entries evicted; a row
   * with `over` ≤ 0 (entries above the limit) ends the run early.
   */
  readonly evict: readonly string[];
}

/**
 * One SQL backend's cache: its statements, executor and the bits of glue around them.
 *
 * @example
 * ```ts
 * const driver = sqlCacheDriver({ backend: "acme", lifecycle, counters: new Map(), sweepIntervalMs: 30_000, executor, statements });
 * ```
 */
export interface SqlCacheDialect {
  readonly backend: string;
  readonly lifecycle: { readonly closed: boolean; onClose(cleanup: () => void): () => void };
  /** Counters per namespace, shared by the handles of one backend. */
  readonly counters: Map<string, CacheCounters>;
  /** Default sweep period (ms). */
  readonly sweepIntervalMs: number;
  readonly executor: SqlCacheExecutor;
  readonly statements: SqlCacheStatements;
  /** Stored form of a key (default: itself) and back. */
  readonly encodeKey?: (key: string) => string;
  readonly decodeKey?: (stored: string) => string;
  /** The `$3` of `keysPage` for a key prefix (default: the prefix; rows not starting with it end the listing). */
  readonly keysPrefix?: (prefix: string) => string;
  /** True when `increment` may add in SQL for this codec; else the store reads, adds and writes in a transaction. */
  readonly addsInSql: (codec: Codec) => boolean;
}
