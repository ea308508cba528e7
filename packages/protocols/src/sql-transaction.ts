import type { AsyncMutex } from "./async-mutex.js";
import { BackendError, invalidArgument } from "./errors.js";
import type { BeginOptions, IsolationLevel, SqlExecutor, TransactionOptions } from "./sql.js";
import { TransactionError } from "./sql-errors.js";

/**
 * The isolation levels `TransactionOptions.isolationLevel` accepts, weakest first.
 *
 * @example
 * ```ts
 * const strongest = ISOLATION_LEVELS.at(-1); // "serializable"
 * ```
 */
export const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  "read uncommitted",
  "read committed",
  "repeatable read",
  "serializable",
];

/** Validated transaction options with their defaults. */
export interface CheckedTransactionOptions {
  isolationLevel: IsolationLevel | undefined;
  readOnly: boolean;
  retries: number;
}

/**
 * Rejects bad `transaction(fn, options)` arguments before anything runs: a non-function
 * `fn`, unknown levels, a non-boolean `readOnly` or bad `retries` are INVALID_ARGUMENT;
 * a level the dialect cannot honour (`unsupportedLevel` returns why) and any option on a
 * nested transaction are NOT_SUPPORTED (they belong to the outermost one).
 *
 * @example
 * ```ts
 * const checked = checkTransactionOptions("sqlite", fn, { retries: 3 }, false, (level) =>
 *   level === "serializable" ? undefined : "SQLite transactions are always serializable",
 * );
 * ```
 */
export function checkTransactionOptions(
  backend: string,
  fn: unknown,
  options: TransactionOptions | undefined,
  nested: boolean,
  unsupportedLevel?: (level: IsolationLevel) => string | undefined,
): CheckedTransactionOptions {
  if (typeof fn !== "function") throw invalidArgument(backend, "transaction() needs a function (tx) => Promise");
  if (options === undefined) return { isolationLevel: undefined, readOnly: false, retries: 0 };
  if (options === null || typeof options !== "object") {
    throw invalidArgument(backend, "transaction options must be an object");
  }
  const { isolationLevel, readOnly = false, retries = 0 } = options;
  if (isolationLevel !== undefined && !ISOLATION_LEVELS.includes(isolationLevel)) {
    throw invalidArgument(
      backend,
      `unknown isolation level ${JSON.stringify(isolationLevel)}; use one of ${ISOLATION_LEVELS.join(", ")}`,
    );
  }
  if (typeof readOnly !== "boolean") throw invalidArgument(backend, "readOnly must be a boolean");
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0) {
    throw invalidArgument(backend, `retries must be a non-negative integer, got ${String(retries)}`);
  }
  const why = isolationLevel === undefined ? undefined : unsupportedLevel?.(isolationLevel);
  if (why !== undefined) {
    throw new TransactionError("NOT_SUPPORTED", `isolation level "${isolationLevel}" is not supported: ${why}`, {
      backend,
    });
  }
  if (nested && (isolationLevel !== undefined || readOnly || retries > 0)) {
    throw new TransactionError(
      "NOT_SUPPORTED",
      "isolationLevel, readOnly and retries apply to the outermost transaction only",
      { backend },
    );
  }
  return { isolationLevel, readOnly, retries };
}

/**
 * Rejects bad `begin(options)` arguments like {@link checkTransactionOptions}; `retries` is
 * `INVALID_ARGUMENT` there (begin has no callback to re-run: use `transaction(fn, { retries })`).
 *
 * @example
 * ```ts
 * const checked = checkBeginOptions("postgres", { isolationLevel: "serializable" });
 * ```
 */
export function checkBeginOptions(
  backend: string,
  options: BeginOptions | undefined,
  unsupportedLevel?: (level: IsolationLevel) => string | undefined,
): CheckedTransactionOptions {
  if (options !== null && typeof options === "object" && "retries" in options) {
    throw invalidArgument(
      backend,
      "begin() takes no retries: there is no callback to re-run; use transaction(fn, { retries })",
    );
  }
  return checkTransactionOptions(backend, () => undefined, options, false, unsupportedLevel);
}

/**
 * Runs `attempt` and, while it fails with a `SERIALIZATION` error, runs it again up to
 * `retries` more times, waiting between tries with exponential backoff (5 ms doubling, at
 * most `maxDelayMs`) and ±50 % jitter. Any other error, or the last failure, is re-thrown
 * unchanged.
 *
 * @example
 * ```ts
 * const result = await runWithRetries(() => attemptTransaction(fn), options.retries, 250);
 * ```
 */
export async function runWithRetries<T>(attempt: () => Promise<T>, retries: number, maxDelayMs: number): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt();
    } catch (err) {
      if (tries >= retries || !BackendError.is(err, "SERIALIZATION")) throw err;
      const ms = Math.min(5 * 2 ** tries, maxDelayMs) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }
}

/** A transaction's scope as {@link runInScope} sees it: its statement mutex and end flag. */
export interface TransactionScope {
  readonly mutex?: AsyncMutex | undefined;
  ended: boolean;
}

/**
 * Runs the user's callback `fn` on the executor `open(scope)` gives, then — whether it
 * resolved or threw — waits for the statements still queued on the scope's mutex and
 * marks the scope ended, so a leaked executor cannot run statements after COMMIT or
 * ROLLBACK.
 *
 * @example
 * ```ts
 * const result = await runInScope(scope, fn, (s) => new SqliteExecutor(s));
 * control(shared, "COMMIT");
 * ```
 */
export async function runInScope<S extends TransactionScope, T>(
  scope: S,
  fn: (tx: SqlExecutor) => Promise<T>,
  open: (scope: S) => SqlExecutor,
): Promise<T> {
  try {
    return await fn(open(scope));
  } finally {
    await scope.mutex?.run(() => {
      scope.ended = true;
    });
  }
}

/**
 * The name of the savepoint a transaction nested at `depth` opens (`sp_1` for the first
 * level below the outermost transaction).
 *
 * @example
 * ```ts
 * await control(client, `SAVEPOINT ${savepointName(parent.depth)}`);
 * ```
 */
export function savepointName(depth: number): string {
  return `sp_${depth}`;
}
