import {
  type AsyncMutex,
  type ExecuteResult,
  invalidArgument,
  postgresDialect,
  type SqlExecutor,
  type SqlInput,
  TransactionError,
  type TransactionOptions,
  toCompiledQuery,
} from "@core/protocols";
import type { PoolClient } from "pg";
import type { PostgresShared } from "../shared.js";
import { runStatement } from "./statement.js";
import { checkTransactionOptions, runNested, runTopLevel } from "./transaction.js";
import { postgresTypes } from "./types.js";

/**
 * Where an executor runs: the pool (`depth` 0) or one checked-out client inside a
 * transaction (`depth` 1) or savepoint (`depth` ≥ 2). `mutex` orders this level's
 * statements and nested transactions.
 */
export interface PostgresScope {
  readonly shared: PostgresShared;
  readonly client: PoolClient | undefined;
  readonly mutex: AsyncMutex | undefined;
  readonly depth: number;
  ended: boolean;
}

/**
 * The error for using a transaction object after its transaction ended.
 *
 * @example
 * ```ts
 * if (scope.ended) throw endedError();
 * ```
 */
export function endedError(): TransactionError {
  return new TransactionError(
    "INVALID_ARGUMENT",
    "this transaction has already ended; use the database or a new transaction",
    {
      backend: "postgres",
    },
  );
}

function checkExecuteOptions(options: unknown): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object")
    throw invalidArgument("postgres", "execute options must be an object");
  const returning = (options as { returning?: unknown }).returning;
  if (returning !== undefined && typeof returning !== "boolean") {
    throw invalidArgument("postgres", "execute option returning must be a boolean");
  }
}

/**
 * `execute`/`query`/`transaction` on the pool or inside a transaction. Outside a
 * transaction each statement takes any pooled connection; inside one, every statement
 * runs in order on the transaction's client; a nested `transaction` is a savepoint.
 * `execute` always returns the rows a statement yields (SELECT or RETURNING); the
 * `returning` option is accepted (boolean) for callers that state it, and changes nothing.
 *
 * @example
 * ```ts
 * const db = new PostgresExecutor({ shared, client: undefined, mutex: undefined, depth: 0, ended: false });
 * ```
 */
export class PostgresExecutor implements SqlExecutor {
  readonly dialect = postgresDialect;
  readonly types = postgresTypes;
  readonly #scope: PostgresScope;

  constructor(scope: PostgresScope) {
    this.#scope = scope;
  }

  #guard<T>(fn: () => Promise<T>): Promise<T> {
    const scope = this.#scope;
    if (scope.depth === 0) return scope.shared.lifecycle.run(fn);
    if (scope.ended) return Promise.reject(endedError());
    // Called inside a savepoint of this transaction: waiting for the savepoint to end would hang.
    if (scope.mutex?.heldByCaller()) {
      return Promise.reject(
        new TransactionError(
          "INVALID_ARGUMENT",
          "an outer transaction was used inside a nested one; use the tx passed to the callback",
          {
            backend: "postgres",
          },
        ),
      );
    }
    return fn();
  }

  execute<R = Record<string, unknown>>(query: SqlInput, options?: { returning?: boolean }): Promise<ExecuteResult<R>> {
    return this.#guard(async () => {
      checkExecuteOptions(options);
      const compiled = toCompiledQuery(query, this.dialect);
      const { client, mutex, shared } = this.#scope;
      if (!client || !mutex) return runStatement<R>(shared.pool, compiled);
      return mutex.run(() => {
        if (this.#scope.ended) throw endedError();
        return runStatement<R>(client, compiled);
      });
    });
  }

  async query<R = Record<string, unknown>>(query: SqlInput): Promise<R[]> {
    return (await this.execute<R>(query)).rows;
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#guard(async () => {
      const checked = checkTransactionOptions(fn, options, this.#scope.depth > 0);
      const open = (scope: PostgresScope) => new PostgresExecutor(scope);
      return this.#scope.depth === 0 ? runTopLevel(this.#scope, fn, checked, open) : runNested(this.#scope, fn, open);
    });
  }
}
