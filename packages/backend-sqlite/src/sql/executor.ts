import {
  applyExecuteOptions,
  checkExecuteOptions,
  type ExecuteOptions,
  type ExecuteResult,
  type SqlExecutor,
  type SqlInput,
  type SqlTypeRegistry,
  sqliteDialect,
  TransactionError,
  type TransactionOptions,
  toCompiledQuery,
} from "@core/protocols";
import type { SqliteScope } from "./scope.js";
import { runStatement } from "./statement.js";
import { checkTransactionOptions, runNested, runTopLevel } from "./transaction.js";

/**
 * `execute`/`query`/`transaction` on the connection or inside a transaction. Statements
 * outside a transaction wait while one is open on the connection; inside one they run in
 * order; a nested `transaction` is a savepoint.
 * `execute` always returns the rows a statement yields (SELECT or RETURNING);
 * `returning: "col"` sets `lastInsertId` from the RETURNING rows, `columnTypes` converts
 * result columns through the type mapper.
 *
 * @example
 * ```ts
 * const db = new SqliteExecutor({ shared, mutex: sqliteMutexFor(shared.db), depth: 0, types, ended: false });
 * ```
 */
export class SqliteExecutor implements SqlExecutor {
  readonly dialect = sqliteDialect;
  readonly #scope: SqliteScope;

  constructor(scope: SqliteScope) {
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
    if (scope.depth > 0 && scope.ended) return Promise.reject(ended());
    // Called from inside a transaction (or savepoint) that holds this level: waiting for it would hang.
    if (scope.mutex.heldByCaller()) return Promise.reject(wouldDeadlock(scope.depth));
    return scope.depth === 0 ? scope.shared.lifecycle.run(fn) : fn();
  }

  execute<R = Record<string, unknown>>(query: SqlInput, options?: ExecuteOptions): Promise<ExecuteResult<R>> {
    return this.#guard(async () => {
      const compiled = toCompiledQuery(query, this.dialect);
      const checked = checkExecuteOptions("sqlite", options, this.types, compiled.text);
      return this.#scope.mutex.run(() => {
        if (this.#scope.ended) throw ended();
        return applyExecuteOptions(runStatement<R>(this.#scope.shared, compiled), checked, this.types);
      });
    });
  }

  async query<R = Record<string, unknown>>(query: SqlInput): Promise<R[]> {
    return (await this.execute<R>(query)).rows;
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#guard(async () => {
      const checked = checkTransactionOptions(fn, options, this.#scope.depth > 0);
      const open = (scope: SqliteScope) => new SqliteExecutor(scope);
      return this.#scope.depth === 0 ? runTopLevel(this.#scope, fn, checked, open) : runNested(this.#scope, fn, open);
    });
  }
}

function wouldDeadlock(depth: number): TransactionError {
  const used = depth === 0 ? "the database" : "an outer transaction";
  return new TransactionError(
    "INVALID_ARGUMENT",
    `${used} was used inside a transaction callback while that transaction is open; it would wait forever. Use the tx passed to the callback`,
    { backend: "sqlite" },
  );
}

function ended(): TransactionError {
  return new TransactionError(
    "INVALID_ARGUMENT",
    "this transaction has already ended; use the database or a new transaction",
    {
      backend: "sqlite",
    },
  );
}
