import type { AsyncMutex } from "./async-mutex.js";
import type { Lifecycle } from "./lifecycle.js";
import type {
  Dialect,
  ExecuteOptions,
  ExecuteResult,
  SqlExecutor,
  SqlInput,
  SqlTransaction,
  TransactionOptions,
  TypeMapper,
} from "./sql.js";
import { TransactionError } from "./sql-errors.js";
import { SavepointNames } from "./sql-savepoints.js";

/** What a backend hands {@link ExplicitTransaction}: its executor and its connection. */
export interface ExplicitTransactionParts {
  /** Backend name for errors. */
  readonly backend: string;
  /** The executor statements run on (the transaction's depth-1 scope). */
  readonly executor: SqlExecutor;
  /** The mutex that orders the statements of the scope behind `executor`. */
  readonly mutex: AsyncMutex;
  /** The scope behind `executor`: setting `ended` makes it refuse further statements. */
  readonly scope: { ended: boolean };
  /** Runs a parameterless control statement on the transaction's connection. */
  control(text: string): Promise<void> | void;
  /**
   * Sends COMMIT (`commit` true) or ROLLBACK and gives the connection back, whatever
   * happens; a failed COMMIT must leave the transaction rolled back. Called once.
   */
  end(commit: boolean): Promise<void>;
}

type State = SqlTransaction["state"];

/**
 * The dialect-independent half of `db.begin()`: state, misuse errors, named savepoints and
 * `[Symbol.asyncDispose]`; statements go to the backend's executor, COMMIT/ROLLBACK to its
 * `end`. `commit`/`rollback` first wait for the statements already queued, then close the
 * scope so nothing slips in after them.
 *
 * @example
 * ```ts
 * const tx = new ExplicitTransaction({ backend: "sqlite", executor, mutex, scope, control, end });
 * ```
 */
export class ExplicitTransaction implements SqlTransaction {
  readonly #parts: ExplicitTransactionParts;
  readonly #names: SavepointNames;
  #state: State = "open";
  #finishing: Promise<void> | undefined;

  constructor(parts: ExplicitTransactionParts) {
    this.#parts = parts;
    this.#names = new SavepointNames(parts.backend);
  }

  get state(): State {
    return this.#state;
  }

  get dialect(): Dialect {
    return this.#parts.executor.dialect;
  }

  get types(): TypeMapper {
    return this.#parts.executor.types;
  }

  execute<R = Record<string, unknown>>(query: SqlInput, options?: ExecuteOptions): Promise<ExecuteResult<R>> {
    if (this.#finishing) return Promise.reject(this.#finished());
    return this.#parts.executor.execute<R>(query, options);
  }

  query<R = Record<string, unknown>>(query: SqlInput): Promise<R[]> {
    if (this.#finishing) return Promise.reject(this.#finished());
    return this.#parts.executor.query<R>(query);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.#finishing) return Promise.reject(this.#finished());
    return this.#parts.executor.transaction(fn, options);
  }

  commit(): Promise<void> {
    return this.#finish(true);
  }

  rollback(): Promise<void> {
    return this.#finish(false);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.#finishing ?? this.#finish(false);
  }

  savepoint(name: string): Promise<void> {
    return this.#inOrder(name, async (key) => {
      await this.#parts.control(`SAVEPOINT "${key}"`);
      this.#names.opened(key);
    });
  }

  rollbackTo(name: string): Promise<void> {
    return this.#inOrder(name, async (key) => {
      this.#names.assertKnown(key);
      await this.#parts.control(`ROLLBACK TO SAVEPOINT "${key}"`);
      this.#names.rolledBackTo(key);
    });
  }

  release(name: string): Promise<void> {
    return this.#inOrder(name, async (key) => {
      this.#names.assertKnown(key);
      await this.#parts.control(`RELEASE SAVEPOINT "${key}"`);
      this.#names.released(key);
    });
  }

  /** Runs a savepoint statement after the statements queued before it. */
  async #inOrder(name: string, fn: (key: string) => Promise<void>): Promise<void> {
    const key = this.#names.check(name);
    if (this.#finishing) throw this.#finished();
    const { scope, mutex } = this.#parts;
    if (mutex.heldByCaller()) throw this.#nested();
    await mutex.run(async () => {
      if (scope.ended) throw this.#finished();
      await fn(key);
    });
  }

  #finish(commit: boolean): Promise<void> {
    if (this.#finishing) return Promise.reject(this.#finished());
    const { scope, mutex } = this.#parts;
    if (mutex.heldByCaller()) return Promise.reject(this.#nested());
    this.#finishing = (async () => {
      // Statements and nested transactions queued before commit/rollback run first.
      await mutex.run(() => {
        scope.ended = true;
      });
      try {
        await this.#parts.end(commit);
        this.#state = commit ? "committed" : "rolled back";
      } catch (err) {
        this.#state = "rolled back";
        throw err;
      }
    })();
    return this.#finishing;
  }

  #finished(): TransactionError {
    const how = this.#state === "open" ? "is finishing" : `was already ${this.#state}`;
    return new TransactionError("INVALID_ARGUMENT", `this transaction ${how}; begin a new one`, {
      backend: this.#parts.backend,
    });
  }

  #nested(): TransactionError {
    return new TransactionError(
      "INVALID_ARGUMENT",
      "the transaction was used inside one of its own nested transaction callbacks; use the tx passed to the callback",
      { backend: this.#parts.backend },
    );
  }
}

/**
 * Builds an {@link ExplicitTransaction} tied to its backend's lifecycle: closing the
 * backend (or aborting its lifecycle) rolls the transaction back, so the connection it
 * holds is given back and the backend can finish closing. The tie is undone once the
 * transaction ends, whichever way.
 *
 * @example
 * ```ts
 * const tx = openExplicitTransaction(shared.lifecycle, { backend: "sqlite", executor, mutex, scope, control, end });
 * ```
 */
export function openExplicitTransaction(
  lifecycle: Pick<Lifecycle, "onClose" | "signal">,
  parts: ExplicitTransactionParts,
): ExplicitTransaction {
  let unregister = (): void => undefined;
  const tx = new ExplicitTransaction({
    ...parts,
    end: async (commit) => {
      try {
        await parts.end(commit);
      } finally {
        unregister();
      }
    },
  });
  const dispose = () => tx[Symbol.asyncDispose]().catch(() => undefined);
  const unregisterClose = lifecycle.onClose(dispose);
  const signal = lifecycle.signal;
  signal.addEventListener("abort", dispose, { once: true });
  unregister = () => {
    unregisterClose();
    signal.removeEventListener("abort", dispose);
  };
  return tx;
}
