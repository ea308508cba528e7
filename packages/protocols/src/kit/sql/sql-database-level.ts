import type { BeginOptions, SqlCustomType, SqlDatabase, SqlTransaction } from "../../sql.js";
import { openExplicitTransaction } from "../../sql-explicit-transaction.js";
import { checkBeginOptions } from "../../sql-transaction.js";
import { SqlTypeRegistry } from "../../sql-type-registry.js";
import type { SqlDriver } from "./sql-driver.js";
import { childScope, SqlLevel } from "./sql-level.js";

/** The database level: what a transaction can do, plus `begin()` and `registerType()`. */
class SqlDatabaseLevel<C> extends SqlLevel<C> implements SqlDatabase {
  begin(options?: BeginOptions): Promise<SqlTransaction> {
    return this.guard(async () => {
      const root = this.scope;
      const { driver } = root;
      const checked = checkBeginOptions(driver.backend, options, (level) => driver.unsupportedLevel?.(level));
      // On a single connection the transaction keeps everyone else waiting until it ends.
      const release = await root.mutex?.acquire();
      let session: Awaited<ReturnType<SqlDriver<C>["begin"]>>;
      try {
        session = await driver.begin(checked);
      } catch (err) {
        release?.();
        throw err;
      }
      const scope = childScope(root, session.connection, 1);
      return openExplicitTransaction(driver.lifecycle, {
        backend: driver.backend,
        executor: new SqlLevel(scope),
        mutex: scope.mutex as NonNullable<typeof scope.mutex>,
        scope,
        control: (text) => driver.control(session.connection, text),
        end: async (commit) => {
          try {
            await session.end(commit);
          } finally {
            release?.();
          }
        },
      });
    });
  }

  registerType<T>(name: string, type: SqlCustomType<T>): void {
    this.scope.driver.lifecycle.assertOpen();
    this.scope.types.register(name, type);
  }
}

/**
 * Builds the SQL protocol's {@link SqlDatabase} from a dialect's narrow {@link SqlDriver}:
 * validated `execute`/`query`, callback transactions with retries and savepoints, explicit
 * transactions (`begin()`, rolled back when the backend closes) and `registerType()`.
 *
 * @example
 * ```ts
 * const db = createSqlDatabase(driver);
 * await db.transaction((tx) => tx.execute(sql`update ${sql.id("t")} set n = n + 1`), { retries: 3 });
 * ```
 */
export function createSqlDatabase<C>(driver: SqlDriver<C>): SqlDatabase {
  driver.lifecycle.assertOpen();
  const types = new SqlTypeRegistry(driver.backend, driver.types);
  const mutex = driver.connectionMutex;
  return new SqlDatabaseLevel({ driver, types, connection: undefined, mutex, depth: 0, ended: false });
}
