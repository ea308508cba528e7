import type { AsyncMutex } from "../../async-mutex.js";
import type { Lifecycle } from "../../lifecycle.js";
import type { CompiledQuery, Dialect, ExecuteResult, IsolationLevel, TypeMapper } from "../../sql.js";
import type { CheckedTransactionOptions } from "../../sql-transaction.js";

/**
 * A transaction's hold on a connection, from a successful BEGIN until `end`: statements of
 * the transaction (and its savepoints) run on `connection`.
 *
 * @example
 * ```ts
 * const session: SqlSession<PoolClient> = { connection: client, end: (commit) => finish(client, commit) };
 * ```
 */
export interface SqlSession<C> {
  readonly connection: C;
  /**
   * Sends COMMIT (`commit` true) or ROLLBACK and gives the connection back, whatever
   * happens; a failed COMMIT must leave the transaction rolled back and re-throw. Called once.
   */
  end(commit: boolean): Promise<void>;
}

/**
 * What an SQL dialect supplies to {@link createSqlDatabase}: how to run a statement, how
 * to open a transaction, and its type mapper. Validation, the statement order inside a
 * transaction, savepoints for nested transactions, retries on `SERIALIZATION`, explicit
 * transactions (`begin()`), deadlock detection and the lifecycle are the kit's.
 * Errors a driver throws must already be `BackendError`s (its own error mapping).
 *
 * @example
 * ```ts
 * const driver: SqlDriver<PoolClient> = {
 *   backend: "postgres", dialect: postgresDialect, types: postgresTypes, lifecycle,
 *   run: (client, query) => runStatement(client ?? pool, query),
 *   control: (client, text) => control(client, text),
 *   begin: (options) => beginOnClient(pool, options),
 * };
 * ```
 */
export interface SqlDriver<C> {
  /** Backend name for errors. */
  readonly backend: string;
  readonly dialect: Dialect;
  /** The dialect's built-in type mapper; custom types registered later go on top of it. */
  readonly types: TypeMapper;
  /** The backend's lifecycle: calls on the database level are tracked by it. */
  readonly lifecycle: Lifecycle;
  /**
   * For a database with a single connection: the mutex every user of that connection waits
   * for. A transaction holds it while open, so nothing else joins the transaction by accident.
   * Omitted for a pool, where a transaction has a connection of its own.
   */
  readonly connectionMutex?: AsyncMutex;
  /** Why an isolation level cannot be honoured, or `undefined` when it can. */
  unsupportedLevel?(level: IsolationLevel): string | undefined;
  /** The cap of the backoff between retried transactions; 250 ms when omitted. */
  readonly retryMaxDelayMs?: number;
  /**
   * Runs one statement: inside a transaction on its session's connection, otherwise
   * (`connection` undefined) on whatever the database level uses.
   */
  run<R>(connection: C | undefined, query: CompiledQuery): ExecuteResult<R> | Promise<ExecuteResult<R>>;
  /** Runs a parameterless statement (SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK TO SAVEPOINT). */
  control(connection: C, text: string): void | Promise<void>;
  /**
   * Starts a transaction with validated options (BEGIN …) on a connection it holds until
   * the session ends; on failure it cleans up after itself and throws.
   */
  begin(options: CheckedTransactionOptions): Promise<SqlSession<C>>;
}
