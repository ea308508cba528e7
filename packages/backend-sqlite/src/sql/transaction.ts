import {
  AsyncMutex,
  type CheckedTransactionOptions,
  checkTransactionOptions as checkOptions,
  runInScope,
  runWithRetries,
  type SqlExecutor,
  savepointName,
  TransactionError,
  type TransactionOptions,
} from "@core/protocols";
import type { SqliteScope } from "./scope.js";
import { control } from "./statement.js";

/** Validated transaction options. */
export type CheckedOptions = CheckedTransactionOptions;

/**
 * Rejects bad options before anything runs: unknown levels → INVALID_ARGUMENT, levels
 * SQLite cannot honour (anything but serializable) → NOT_SUPPORTED, options on a nested
 * transaction → NOT_SUPPORTED (they belong to the outermost one).
 *
 * @example
 * ```ts
 * const { readOnly, retries } = checkTransactionOptions(fn, { retries: 3 }, false);
 * ```
 */
export function checkTransactionOptions(
  fn: unknown,
  options: TransactionOptions | undefined,
  nested: boolean,
): CheckedOptions {
  return checkOptions("sqlite", fn, options, nested, (level) =>
    level === "serializable" ? undefined : "SQLite transactions are always serializable",
  );
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // The statement that follows reports the broken state.
  }
}

async function attempt<T>(
  root: SqliteScope,
  fn: (tx: SqlExecutor) => Promise<T>,
  options: CheckedOptions,
  open: (scope: SqliteScope) => SqlExecutor,
): Promise<T> {
  return root.mutex.hold(async () => {
    const { shared } = root;
    // IMMEDIATE takes the write lock up front, so a writer never fails half-way with BUSY;
    // a read-only transaction only needs a snapshot.
    control(shared, options.readOnly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
    if (options.readOnly) shared.db.pragma("query_only = ON");
    const scope: SqliteScope = { shared, mutex: new AsyncMutex(), depth: 1, types: root.types, ended: false };
    try {
      const result = await runInScope(scope, fn, open);
      control(shared, "COMMIT");
      return result;
    } catch (err) {
      // fn's error is re-thrown unchanged; a failing ROLLBACK must not hide it.
      if (shared.db.inTransaction) quietly(() => control(shared, "ROLLBACK"));
      throw err;
    } finally {
      if (options.readOnly) shared.db.pragma("query_only = OFF");
    }
  });
}

/**
 * Runs `fn` in a transaction that holds the connection: BEGIN IMMEDIATE (BEGIN DEFERRED +
 * `PRAGMA query_only` when read-only), COMMIT when `fn` resolves, ROLLBACK when it throws
 * (the error is re-thrown unchanged). On a `SERIALIZATION` error (SQLITE_BUSY) the whole
 * transaction is re-run up to `retries` times with exponential backoff, releasing the
 * connection in between.
 *
 * @example
 * ```ts
 * await runTopLevel(scope, fn, { readOnly: false, retries: 3 }, (s) => new SqliteExecutor(s));
 * ```
 */
export function runTopLevel<T>(
  root: SqliteScope,
  fn: (tx: SqlExecutor) => Promise<T>,
  options: CheckedOptions,
  open: (scope: SqliteScope) => SqlExecutor,
): Promise<T> {
  return runWithRetries(() => attempt(root, fn, options, open), options.retries, 200);
}

/**
 * A nested transaction: `SAVEPOINT sp_<depth>`, released when `fn` resolves, rolled back
 * to (then released) when it throws. It holds its parent's mutex, so sibling savepoints
 * and the parent's own statements wait: savepoints unwind strictly LIFO.
 *
 * @example
 * ```ts
 * await runNested(parentScope, fn, (s) => new SqliteExecutor(s));
 * ```
 */
export function runNested<T>(
  parent: SqliteScope,
  fn: (tx: SqlExecutor) => Promise<T>,
  open: (scope: SqliteScope) => SqlExecutor,
): Promise<T> {
  return parent.mutex.hold(async () => {
    if (parent.ended) {
      throw new TransactionError("INVALID_ARGUMENT", "this transaction has already ended", { backend: "sqlite" });
    }
    const { shared } = parent;
    const name = savepointName(parent.depth);
    control(shared, `SAVEPOINT ${name}`);
    const scope: SqliteScope = {
      shared,
      mutex: new AsyncMutex(),
      depth: parent.depth + 1,
      types: parent.types,
      ended: false,
    };
    try {
      const result = await runInScope(scope, fn, open);
      control(shared, `RELEASE ${name}`);
      return result;
    } catch (err) {
      if (shared.db.inTransaction) {
        quietly(() => {
          control(shared, `ROLLBACK TO ${name}`);
          control(shared, `RELEASE ${name}`);
        });
      }
      throw err;
    }
  });
}
