import {
  BackendError,
  type IsolationLevel,
  invalidArgument,
  type SqlExecutor,
  TransactionError,
  type TransactionOptions,
} from "@core/protocols";
import type { SqliteScope } from "./executor.js";
import { SqliteMutex } from "./mutex.js";
import { control } from "./statement.js";

const LEVELS: readonly IsolationLevel[] = ["read uncommitted", "read committed", "repeatable read", "serializable"];

/** Validated transaction options. */
export interface CheckedOptions {
  readOnly: boolean;
  retries: number;
}

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
  if (typeof fn !== "function") throw invalidArgument("sqlite", "transaction() needs a function (tx) => Promise");
  if (options === undefined) return { readOnly: false, retries: 0 };
  if (options === null || typeof options !== "object")
    throw invalidArgument("sqlite", "transaction options must be an object");
  const { isolationLevel, readOnly = false, retries = 0 } = options;
  if (isolationLevel !== undefined && !LEVELS.includes(isolationLevel)) {
    throw invalidArgument(
      "sqlite",
      `unknown isolation level ${JSON.stringify(isolationLevel)}; use one of ${LEVELS.join(", ")}`,
    );
  }
  if (typeof readOnly !== "boolean") throw invalidArgument("sqlite", "readOnly must be a boolean");
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0) {
    throw invalidArgument("sqlite", `retries must be a non-negative integer, got ${String(retries)}`);
  }
  if (isolationLevel !== undefined && isolationLevel !== "serializable") {
    throw new TransactionError(
      "NOT_SUPPORTED",
      `isolation level "${isolationLevel}" is not supported: SQLite transactions are always serializable`,
      { backend: "sqlite" },
    );
  }
  if (nested && (isolationLevel !== undefined || readOnly || retries > 0)) {
    throw new TransactionError(
      "NOT_SUPPORTED",
      "isolationLevel, readOnly and retries apply to the outermost transaction only",
      {
        backend: "sqlite",
      },
    );
  }
  return { readOnly, retries };
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // The statement that follows reports the broken state.
  }
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(5 * 2 ** attempt, 200) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for the scope's queued statements, then marks it ended. */
async function finish(scope: SqliteScope): Promise<void> {
  await scope.mutex.run(() => {
    scope.ended = true;
  });
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
    const scope: SqliteScope = { shared, mutex: new SqliteMutex(), depth: 1, ended: false };
    try {
      let result: T;
      try {
        result = await fn(open(scope));
      } finally {
        await finish(scope);
      }
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
export async function runTopLevel<T>(
  root: SqliteScope,
  fn: (tx: SqlExecutor) => Promise<T>,
  options: CheckedOptions,
  open: (scope: SqliteScope) => SqlExecutor,
): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt(root, fn, options, open);
    } catch (err) {
      if (tries >= options.retries || !BackendError.is(err, "SERIALIZATION")) throw err;
      await backoff(tries);
    }
  }
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
    const name = `sp_${parent.depth}`;
    control(shared, `SAVEPOINT ${name}`);
    const scope: SqliteScope = { shared, mutex: new SqliteMutex(), depth: parent.depth + 1, ended: false };
    try {
      let result: T;
      try {
        result = await fn(open(scope));
      } finally {
        await finish(scope);
      }
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
