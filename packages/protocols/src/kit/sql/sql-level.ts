import { AsyncMutex } from "../../async-mutex.js";
import type { Dialect, ExecuteOptions, ExecuteResult, SqlExecutor, SqlInput, TransactionOptions } from "../../sql.js";
import { TransactionError } from "../../sql-errors.js";
import { applyExecuteOptions, checkExecuteOptions } from "../../sql-execute.js";
import { toCompiledQuery } from "../../sql-tag.js";
import type { CheckedTransactionOptions } from "../../sql-transaction.js";
import { checkTransactionOptions, runInScope, runWithRetries, savepointName } from "../../sql-transaction.js";
import type { SqlTypeRegistry } from "../../sql-type-registry.js";
import type { SqlDriver } from "./sql-driver.js";

/**
 * Where a {@link SqlLevel} runs: the database (`depth` 0, no connection of its own) or an
 * open transaction (`depth` 1) or savepoint (`depth` ≥ 2) on its session's connection.
 * `mutex` orders the statements and nested transactions of this level; a nested
 * transaction holds its parent's mutex throughout.
 *
 * @example
 * ```ts
 * const root: SqlScope<PoolClient> = { driver, types, connection: undefined, mutex: undefined, depth: 0, ended: false };
 * ```
 */
export interface SqlScope<C> {
  readonly driver: SqlDriver<C>;
  /** The database's type mapper with its registered custom types, shared by every level. */
  readonly types: SqlTypeRegistry;
  readonly connection: C | undefined;
  readonly mutex: AsyncMutex | undefined;
  readonly depth: number;
  ended: boolean;
}

/**
 * The scope of a transaction opened on `connection` below `parent`.
 *
 * @example
 * ```ts
 * const scope = childScope(root, session.connection, 1);
 * ```
 */
export function childScope<C>(parent: SqlScope<C>, connection: C, depth: number): SqlScope<C> {
  const { driver, types } = parent;
  return { driver, types, connection, mutex: new AsyncMutex(), depth, ended: false };
}

/**
 * `execute`/`query`/`transaction` on the database or inside a transaction. Statements
 * inside a transaction run in order; a nested `transaction` is a savepoint; a top-level
 * one re-runs on `SERIALIZATION` up to `retries` times.
 *
 * @example
 * ```ts
 * const tx = new SqlLevel(childScope(root, session.connection, 1));
 * ```
 */
export class SqlLevel<C> implements SqlExecutor {
  readonly dialect: Dialect;
  protected readonly scope: SqlScope<C>;

  constructor(scope: SqlScope<C>) {
    this.scope = scope;
    this.dialect = scope.driver.dialect;
  }

  get types(): SqlTypeRegistry {
    return this.scope.types;
  }

  /** Runs `fn` as a call on this level: refused once ended or when it would deadlock. */
  protected guard<T>(fn: () => Promise<T>): Promise<T> {
    const scope = this.scope;
    if (scope.depth > 0 && scope.ended) return Promise.reject(endedError(scope.driver.backend));
    // Called from inside a transaction (or savepoint) that holds this level: waiting for it would hang.
    if (scope.mutex?.heldByCaller()) return Promise.reject(wouldDeadlock(scope));
    return scope.depth === 0 ? scope.driver.lifecycle.run(fn) : fn();
  }

  execute<R = Record<string, unknown>>(query: SqlInput, options?: ExecuteOptions): Promise<ExecuteResult<R>> {
    return this.guard(async () => {
      const scope = this.scope;
      const { driver, types, mutex } = scope;
      const compiled = toCompiledQuery(query, this.dialect);
      const checked = checkExecuteOptions(driver.backend, options, types, compiled.text);
      if (!mutex) return applyExecuteOptions(await driver.run<R>(undefined, compiled), checked, types);
      return mutex.run(async () => {
        if (scope.ended) throw endedError(driver.backend);
        return applyExecuteOptions(await driver.run<R>(scope.connection, compiled), checked, types);
      });
    });
  }

  async query<R = Record<string, unknown>>(query: SqlInput): Promise<R[]> {
    return (await this.execute<R>(query)).rows;
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.guard(async () => {
      const { driver, depth } = this.scope;
      const checked = checkTransactionOptions(driver.backend, fn, options, depth > 0, (level) =>
        driver.unsupportedLevel?.(level),
      );
      if (depth > 0) return this.#savepoint(fn);
      return runWithRetries(() => this.#attempt(fn, checked), checked.retries, driver.retryMaxDelayMs ?? 250);
    });
  }

  /** One try of a top-level transaction; on a single connection it holds it throughout. */
  #attempt<T>(fn: (tx: SqlExecutor) => Promise<T>, options: CheckedTransactionOptions): Promise<T> {
    const root = this.scope;
    const body = async (): Promise<T> => {
      const session = await root.driver.begin(options);
      let result: T;
      try {
        result = await runInScope(childScope(root, session.connection, 1), fn, open);
      } catch (err) {
        // fn's error is re-thrown unchanged; a failing ROLLBACK must not hide it.
        await session.end(false).catch(() => undefined);
        throw err;
      }
      await session.end(true);
      return result;
    };
    return root.mutex ? root.mutex.hold(body) : body();
  }

  /** A nested transaction: a savepoint, released on success, rolled back to on failure. */
  #savepoint<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const parent = this.scope;
    const { driver } = parent;
    const connection = parent.connection as C;
    return (parent.mutex as AsyncMutex).hold(async () => {
      if (parent.ended) throw endedError(driver.backend);
      const name = savepointName(parent.depth);
      await driver.control(connection, `SAVEPOINT ${name}`);
      try {
        const result = await runInScope(childScope(parent, connection, parent.depth + 1), fn, open);
        await driver.control(connection, `RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        // fn's error is re-thrown unchanged; if the rollback fails, the next statement says so.
        try {
          await driver.control(connection, `ROLLBACK TO SAVEPOINT ${name}`);
          await driver.control(connection, `RELEASE SAVEPOINT ${name}`);
        } catch {
          // See above.
        }
        throw err;
      }
    });
  }
}

function open<C>(scope: SqlScope<C>): SqlExecutor {
  return new SqlLevel(scope);
}

/**
 * The error for using a transaction object after its transaction ended.
 *
 * @example
 * ```ts
 * if (scope.ended) throw endedError("sqlite");
 * ```
 */
export function endedError(backend: string): TransactionError {
  return new TransactionError(
    "INVALID_ARGUMENT",
    "this transaction has already ended; use the database or a new transaction",
    { backend },
  );
}

function wouldDeadlock(scope: SqlScope<unknown>): TransactionError {
  const used = scope.depth === 0 ? "the database" : "an outer transaction";
  return new TransactionError(
    "INVALID_ARGUMENT",
    `${used} was used inside a transaction callback while that transaction is open; it would wait forever. Use the tx passed to the callback`,
    { backend: scope.driver.backend },
  );
}
