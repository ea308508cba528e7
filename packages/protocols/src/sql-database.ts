import type { Lifecycle } from "./lifecycle.js";
import type { BeginOptions, SqlCustomType, SqlDatabase, SqlExecutor, SqlTransaction } from "./sql.js";
import type { SqlTypeRegistry } from "./sql-type-registry.js";

/** What the database level needs from a backend's root SQL scope. */
export interface SqlDatabaseRoot {
  /** The backend's shared state; `registerType` refuses once its lifecycle closed. */
  readonly shared: { readonly lifecycle: Pick<Lifecycle, "assertOpen"> };
  /** The database's type registry, where custom types go. */
  readonly types: SqlTypeRegistry;
}

/**
 * A backend's executor whose calls pass through its (protected) `guard(fn)`: the gate that
 * refuses a call on an ended scope or one that would deadlock, and tracks it in the lifecycle.
 */
type GuardedExecutor = SqlExecutor & { guard<T>(fn: () => Promise<T>): Promise<T> };

/**
 * Turns a backend's root-level executor class into its {@link SqlDatabase}: adds `begin()`
 * (the backend's `begin`, run through the executor's guard like every other call) and
 * `registerType()` (into the root scope's type registry, refused once the backend closed).
 *
 * @example
 * ```ts
 * const SqliteSql = sqlDatabaseClass(SqliteExecutor, async (root, options) =>
 *   beginSqlite(root, checkBeginOptions("sqlite", options), (scope) => new SqliteExecutor(scope)),
 * );
 * const db = new SqliteSql(root);
 * ```
 */
export function sqlDatabaseClass<S extends SqlDatabaseRoot>(
  Executor: new (root: S) => SqlExecutor,
  begin: (root: S, options: BeginOptions | undefined) => Promise<SqlTransaction>,
): new (
  root: S,
) => SqlDatabase {
  // `guard` is protected in the backend's class; only this subclass calls it.
  const Guarded = Executor as unknown as new (root: S) => GuardedExecutor;
  return class extends Guarded implements SqlDatabase {
    readonly #root: S;

    constructor(root: S) {
      super(root);
      this.#root = root;
    }

    begin(options?: BeginOptions): Promise<SqlTransaction> {
      return this.guard(() => begin(this.#root, options));
    }

    registerType<T>(name: string, type: SqlCustomType<T>): void {
      this.#root.shared.lifecycle.assertOpen();
      this.#root.types.register(name, type);
    }
  };
}
