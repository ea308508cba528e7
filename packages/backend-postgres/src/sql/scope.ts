import { type AsyncMutex, type SqlTypeRegistry, TransactionError } from "@core/protocols";
import type { PoolClient } from "pg";
import type { PostgresShared } from "../shared.js";

// Its own file so the executor and the transaction runner both depend on it instead of on
// each other (they formed an import cycle).

/**
 * Where an executor runs: the pool (`depth` 0) or one checked-out client inside a
 * transaction (`depth` 1) or savepoint (`depth` ≥ 2). `mutex` orders this level's
 * statements and nested transactions.
 *
 * @example
 * ```ts
 * const scope: PostgresScope = { shared, client: undefined, mutex: undefined, depth: 0, types, ended: false };
 * ```
 */
export interface PostgresScope {
  readonly shared: PostgresShared;
  readonly client: PoolClient | undefined;
  readonly mutex: AsyncMutex | undefined;
  readonly depth: number;
  /** The database's type mapper with its registered custom types, shared by every level. */
  readonly types: SqlTypeRegistry;
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
