import { BackendError } from "@core/protocols";
import { closedError, type Lifecycle } from "@core/protocols/kit";
import type { BetterSqliteDatabase, SqliteStatement } from "./driver.js";
import { BACKEND, toBackendError } from "./errors.js";
import { Notifier } from "./notifier.js";
import { sqliteMutexFor } from "./sql/mutex.js";

/** Per-process counters of one cache namespace, shared by its handles. */
export interface CacheCounters {
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * What one {@link SqliteBackend} shares with its stores: the connection, the lifecycle,
 * a statement cache so each SQL text is prepared once per connection, the wake-up
 * notifier and the helpers every store method goes through.
 */
export interface SqliteShared {
  readonly db: BetterSqliteDatabase;
  readonly lifecycle: Lifecycle;
  /** Prepared statements by SQL text. */
  readonly statements: Map<string, SqliteStatement>;
  /** Prepares (once) and returns the statement for `sql`. */
  prepare(sql: string): SqliteStatement;
  /** True when the database is a file (other processes may share it). */
  readonly isFile: boolean;
  /** Wakes blocked readers (in-process at once, other processes by data_version polling). */
  readonly notifier: Notifier;
  /** Cache hit/miss/eviction counters by namespace. */
  readonly cacheCounters: Map<string, CacheCounters>;
  /** Each queue topic's next offset as this connection's appends last saw it (a guess). */
  readonly queueNext: Map<string, number>;
  /**
   * Runs synchronous database work as an operation of the backend: `CLOSED` after close,
   * waits while a `sql()` transaction holds the connection, maps errors to `BackendError`.
   */
  run<T>(fn: () => T): Promise<T>;
  /**
   * `run` without the promise when it can: when nobody holds the connection the work
   * runs now and its result (or mapped error) comes back synchronously; otherwise a promise.
   */
  runNow<T>(fn: () => T): T | Promise<T>;
  /** Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (rolled back if it throws). Synchronous. */
  write<T>(fn: () => T): T;
}

/**
 * Builds the shared state of a backend on `db`.
 *
 * @example
 * ```ts
 * const shared = createShared(db, new Lifecycle("sqlite"), true);
 * ```
 */
export function createShared(db: BetterSqliteDatabase, lifecycle: Lifecycle, isFile: boolean): SqliteShared {
  const statements = new Map<string, SqliteStatement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[]>(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  const notifier = new Notifier(db, isFile);
  const mutex = sqliteMutexFor(db);
  const exec = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw toBackendError(err);
    }
  };
  function runNow<T>(fn: () => T): T | Promise<T> {
    // Fast path: nobody holds the connection, so the synchronous work runs right now and
    // is finished before this returns — nothing is in flight for close() to wait for, so
    // the lifecycle's tracking (a Set entry and two promise reactions per call) is skipped.
    if (!mutex.locked && !db.inTransaction) {
      if (lifecycle.closed) throw closedError(lifecycle.backend);
      return exec(fn);
    }
    // A sql() transaction holds the connection across its awaits: work started now would
    // join it (and commit or roll back with it), so queue behind it on the shared mutex.
    if (mutex.heldByCaller()) {
      return Promise.reject(
        new BackendError(
          "INVALID_ARGUMENT",
          "cache, queue, record and transport calls cannot run inside sql().transaction() on the same backend: they would wait for the transaction forever; call them after it",
          { backend: BACKEND },
        ),
      );
    }
    return lifecycle.run(() =>
      mutex.run(() => {
        lifecycle.assertOpen();
        return exec(fn);
      }),
    );
  }
  return {
    db,
    lifecycle,
    statements,
    prepare,
    isFile,
    notifier,
    cacheCounters: new Map(),
    queueNext: new Map(),
    run<T>(fn: () => T): Promise<T> {
      let result: T | Promise<T>;
      try {
        result = runNow(fn);
      } catch (err) {
        return Promise.reject(err);
      }
      return result instanceof Promise ? result : Promise.resolve(result);
    },
    runNow,
    write<T>(fn: () => T): T {
      begin.run();
      try {
        const result = fn();
        commit.run();
        return result;
      } catch (err) {
        if (db.inTransaction) rollback.run();
        throw err;
      }
    },
  };
}
