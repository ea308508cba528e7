import type { AsyncMutex, SqlTypeRegistry } from "@core/protocols";
import type { SqliteShared } from "../shared.js";

// Its own file so the executor and the transaction runner both depend on it instead of on
// each other (they formed an import cycle).

/**
 * What an executor works in: the whole connection (`depth` 0) or an open transaction
 * (`depth` 1) or savepoint (`depth` ≥ 2). `mutex` orders the statements and nested
 * transactions of this level; a nested transaction holds its parent's mutex throughout.
 *
 * @example
 * ```ts
 * const scope: SqliteScope = { shared, mutex: new AsyncMutex(), depth: 0, types, ended: false };
 * ```
 */
export interface SqliteScope {
  readonly shared: SqliteShared;
  readonly mutex: AsyncMutex;
  readonly depth: number;
  /** The database's type mapper with its registered custom types, shared by every level. */
  readonly types: SqlTypeRegistry;
  ended: boolean;
}
