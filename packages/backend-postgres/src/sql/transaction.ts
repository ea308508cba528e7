import {
  BackendError,
  type IsolationLevel,
  invalidArgument,
  type SqlExecutor,
  TransactionError,
  type TransactionOptions,
} from "@core/protocols";
import type { PoolClient } from "pg";
import { mapPostgresError } from "./errors.js";
import { endedError, type PostgresScope } from "./executor.js";
import { AsyncMutex } from "./mutex.js";
import { control } from "./statement.js";

const LEVELS: readonly IsolationLevel[] = ["read uncommitted", "read committed", "repeatable read", "serializable"];

/** Validated transaction options. */
export interface CheckedOptions {
  isolationLevel: IsolationLevel | undefined;
  readOnly: boolean;
  retries: number;
}

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
  if (typeof fn !== "function") throw invalidArgument("postgres", "transaction() needs a function (tx) => Promise");
  if (options === undefined) return { isolationLevel: undefined, readOnly: false, retries: 0 };
  if (options === null || typeof options !== "object")
    throw invalidArgument("postgres", "transaction options must be an object");
  const { isolationLevel, readOnly = false, retries = 0 } = options;
  if (isolationLevel !== undefined && !LEVELS.includes(isolationLevel)) {
    throw invalidArgument(
      "postgres",
      `unknown isolation level ${JSON.stringify(isolationLevel)}; use one of ${LEVELS.join(", ")}`,
    );
  }
  if (typeof readOnly !== "boolean") throw invalidArgument("postgres", "readOnly must be a boolean");
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0) {
    throw invalidArgument("postgres", `retries must be a non-negative integer, got ${String(retries)}`);
  }
  if (nested && (isolationLevel !== undefined || readOnly || retries > 0)) {
    throw new TransactionError(
      "NOT_SUPPORTED",
      "isolationLevel, readOnly and retries apply to the outermost transaction only",
      {
        backend: "postgres",
      },
    );
  }
  return { isolationLevel, readOnly, retries };
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(5 * 2 ** attempt, 250) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for the scope's queued statements, then marks it ended. */
async function finish(scope: PostgresScope): Promise<void> {
  await scope.mutex?.run(() => {
    scope.ended = true;
  });
}

function beginText(options: CheckedOptions): string {
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
    const scope: PostgresScope = { shared: root.shared, client, mutex: new AsyncMutex(), depth: 1, ended: false };
    try {
      let result: T;
      try {
        result = await fn(open(scope));
      } finally {
        await finish(scope);
      }
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
export async function runTopLevel<T>(
  root: PostgresScope,
  fn: (tx: SqlExecutor) => Promise<T>,
  options: CheckedOptions,
  open: (scope: PostgresScope) => SqlExecutor,
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
    const name = `sp_${parent.depth}`;
    await control(client, `SAVEPOINT ${name}`);
    const scope: PostgresScope = {
      shared: parent.shared,
      client,
      mutex: new AsyncMutex(),
      depth: parent.depth + 1,
      ended: false,
    };
    try {
      let result: T;
      try {
        result = await fn(open(scope));
      } finally {
        await finish(scope);
      }
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
