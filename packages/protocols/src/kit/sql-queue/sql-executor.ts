import type { MaybePromise } from "../records/record-driver.js";

/** One result row, by column name. */
export type SqlRow = Record<string, unknown>;

/**
 * How the shared SQL queue and outbox run a statement: synchronously (better-sqlite3) or
 * with a promise (pg). Statements are the dialect's texts with positional parameters; the
 * executor maps failures to the backend's `BackendError` and rejects with `CLOSED` after
 * close. `operation` names the call for error messages (`"queue.put"`).
 *
 * @example
 * ```ts
 * const exec: SqlExecutor = {
 *   rows: (text, params) => db.prepare(text).all(params),
 *   changes: (text, params) => db.prepare(text).run(params).changes,
 * };
 * ```
 */
export interface SqlExecutor {
  /** Runs one statement and gives its rows. */
  rows(text: string, params: unknown[], operation: string): MaybePromise<SqlRow[]>;
  /** Runs one statement and gives how many rows it changed. */
  changes(text: string, params: unknown[], operation: string): MaybePromise<number>;
  /**
   * Runs `fn` in one transaction, its statements on `tx`; without it the statements of
   * `fn` run one by one (a dialect whose steps are safe apart).
   */
  atomic?<T>(operation: string, fn: (tx: SqlExecutor) => MaybePromise<T>): MaybePromise<T>;
}

/**
 * `f(value)`, synchronously when `value` is not a promise: chained steps of a synchronous
 * executor stay synchronous (so they can run inside its transaction).
 *
 * @example
 * ```ts
 * const first = andThen(exec.rows(sql, params, "queue.put"), (rows) => Number(rows[0]?.first));
 * ```
 */
export function andThen<T, R>(value: MaybePromise<T>, f: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/**
 * A promise of `fn()`'s outcome, also when it throws synchronously.
 *
 * @example
 * ```ts
 * return toPromise(() => exec.rows(sql, params, "queue.get"));
 * ```
 */
export function toPromise<T>(fn: () => MaybePromise<T>): Promise<T> {
  try {
    const value = fn();
    return value instanceof Promise ? value : Promise.resolve(value);
  } catch (err) {
    return Promise.reject(err);
  }
}
