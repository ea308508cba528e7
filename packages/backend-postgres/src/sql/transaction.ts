import {
  AsyncMutex,
  type CheckedTransactionOptions,
  checkTransactionOptions as checkOptions,
  runInScope,
  runWithRetries,
  type SqlExecutor,
  savepointName,
  type TransactionOptions,
} from "@core/protocols";
import type { PoolClient } from "pg";
import { mapPostgresError } from "./errors.js";
import { endedError, type PostgresScope } from "./scope.js";
import { control } from "./statement.js";

/** Validated transaction options. */
export type CheckedOptions = CheckedTransactionOptions;

/**
 * Rejects bad options before anything runs; options on a nested transaction are
 * NOT_SUPPORTED (isolation, read-only and retries belong to the outermost one).
 *
 * @example
 * ```ts
 * checkTransactionOptions(fn, { isolationLevel: "serializable", retries: 3 }, false);
 * ```
 */
export function checkTransactionOptions(
  fn: unknown,
  options: TransactionOptions | undefined,
  nested: boolean,
): CheckedOptions {
  return checkOptions("postgres", fn, options, nested);
}

/**
 * The BEGIN statement for validated options: `BEGIN [ISOLATION LEVEL …] [READ ONLY]`.
 *
 * @example
 * ```ts
 * await control(client, beginText({ isolationLevel: "serializable", readOnly: true, retries: 0 }));
 * ```
 */
export function beginText(options: CheckedOptions): string {
  let text = "BEGIN";
  if (options.isolationLevel) text += ` ISOLATION LEVEL ${options.isolationLevel.toUpperCase()}`;
  if (options.readOnly) text += " READ ONLY";
  return text;
}

async function attempt<T>(
  root: PostgresScope,
  fn: (tx: SqlExecutor) => Promise<T>,
  options: CheckedOptions,
  open: (scope: PostgresScope) => SqlExecutor,
): Promise<T> {
  let client: PoolClient;
  try {
    client = await root.shared.pool.connect();
  } catch (err) {
    throw mapPostgresError(err);
  }
  let broken: Error | undefined;
  try {
    await control(client, beginText(options));
    const scope: PostgresScope = {
      shared: root.shared,
      client,
      mutex: new AsyncMutex(),
      depth: 1,
      types: root.types,
      ended: false,
    };
    try {
      const result = await runInScope(scope, fn, open);
      await control(client, "COMMIT");
      return result;
    } catch (err) {
      await control(client, "ROLLBACK").catch((rollbackError: unknown) => {
        // The connection is unusable: the pool must discard it rather than reuse it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `fn` in a transaction on one checked-out client: `BEGIN ISOLATION LEVEL … [READ
 * ONLY]`, COMMIT when `fn` resolves, ROLLBACK when it throws (re-thrown unchanged). On a
 * `SERIALIZATION` error (40001/40P01) the whole transaction re-runs up to `retries` times
 * with exponential backoff and jitter.
 *
 * @example
 * ```ts
 * await runTopLevel(scope, fn, { isolationLevel: "serializable", readOnly: false, retries: 3 }, open);
 * ```
 */
export function runTopLevel<T>(
  root: PostgresScope,
  fn: (tx: SqlExecutor) => Promise<T>,
  options: CheckedOptions,
  open: (scope: PostgresScope) => SqlExecutor,
): Promise<T> {
  return runWithRetries(() => attempt(root, fn, options, open), options.retries, 250);
}

/**
 * A nested transaction: `SAVEPOINT sp_<depth>`, released when `fn` resolves, rolled back to
 * (then released) when it throws. It holds its parent's mutex throughout, so siblings and
 * the parent's own statements wait and savepoints unwind LIFO.
 *
 * @example
 * ```ts
 * await runNested(parentScope, fn, open);
 * ```
 */
export function runNested<T>(
  parent: PostgresScope,
  fn: (tx: SqlExecutor) => Promise<T>,
  open: (scope: PostgresScope) => SqlExecutor,
): Promise<T> {
  const { client, mutex } = parent;
  if (!client || !mutex) return Promise.reject(endedError());
  return mutex.hold(async () => {
    if (parent.ended) throw endedError();
    const name = savepointName(parent.depth);
    await control(client, `SAVEPOINT ${name}`);
    const scope: PostgresScope = {
      shared: parent.shared,
      client,
      mutex: new AsyncMutex(),
      depth: parent.depth + 1,
      types: parent.types,
      ended: false,
    };
    try {
      const result = await runInScope(scope, fn, open);
      await control(client, `RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      // fn's error is re-thrown unchanged; if the rollback fails, the next statement says so.
      await control(client, `ROLLBACK TO SAVEPOINT ${name}`)
        .then(() => control(client, `RELEASE SAVEPOINT ${name}`))
        .catch(() => undefined);
      throw err;
    }
  });
}
