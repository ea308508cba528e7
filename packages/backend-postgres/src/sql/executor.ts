import {
  applyExecuteOptions,
  checkExecuteOptions,
  type ExecuteOptions,
  type ExecuteResult,
  postgresDialect,
  type SqlExecutor,
  type SqlInput,
  type SqlTypeRegistry,
  TransactionError,
  type TransactionOptions,
  toCompiledQuery,
} from "@core/protocols";
import { endedError, type PostgresScope } from "./scope.js";
import { type Queryable, runStatement } from "./statement.js";
import { checkTransactionOptions, runNested, runTopLevel } from "./transaction.js";

/**
 * `execute`/`query`/`transaction` on the pool or inside a transaction. Outside a
 * transaction each statement takes any pooled connection; inside one, every statement
 * runs in order on the transaction's client; a nested `transaction` is a savepoint.
 * `execute` always returns the rows a statement yields (SELECT or RETURNING);
 * `returning: "id"` sets `lastInsertId` from the RETURNING rows (PostgreSQL has no other
 * way to report a generated key), `columnTypes` converts result columns through the type
 * mapper.
 *
 * @example
 * ```ts
 * const db = new PostgresExecutor({ shared, client: undefined, mutex: undefined, depth: 0, types, ended: false });
 * ```
 */
export class PostgresExecutor implements SqlExecutor {
  readonly dialect = postgresDialect;
  readonly #scope: PostgresScope;

  constructor(scope: PostgresScope) {
    this.#scope = scope;
  }

  get types(): SqlTypeRegistry {
    return this.#scope.types;
  }

  /** Runs `fn` as a call on this level: refused once ended or when it would deadlock. */
  protected guard<T>(fn: () => Promise<T>): Promise<T> {
    return this.#guard(fn);
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

  execute<R = Record<string, unknown>>(query: SqlInput, options?: ExecuteOptions): Promise<ExecuteResult<R>> {
    return this.#guard(async () => {
      const compiled = toCompiledQuery(query, this.dialect);
      const checked = checkExecuteOptions("postgres", options, this.types, compiled.text);
      const { client, mutex, shared } = this.#scope;
      const run = async (target: Queryable) =>
        applyExecuteOptions(await runStatement<R>(target, compiled), checked, this.types);
      if (!client || !mutex) return run(shared.pool);
      return mutex.run(() => {
        if (this.#scope.ended) throw endedError();
        return run(client);
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
