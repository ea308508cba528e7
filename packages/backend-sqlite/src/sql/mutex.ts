import { AsyncMutex } from "@core/protocols/kit";

const mutexes = new WeakMap<object, AsyncMutex>();

/**
 * The one mutex of a better-sqlite3 connection, shared by every store of every backend
 * built on that connection. better-sqlite3 runs each statement synchronously, but a
 * transaction spans `await`s: while one is open, every other statement on the connection
 * must wait, or it would silently join (and commit or roll back with) that transaction.
 * Every store that issues statements while an SQL transaction may be open runs them
 * through this mutex.
 *
 * @example
 * ```ts
 * await sqliteMutexFor(shared.db).run(() => statement.run(key, value));
 * ```
 */
export function sqliteMutexFor(db: object): AsyncMutex {
  let mutex = mutexes.get(db);
  if (!mutex) {
    mutex = new AsyncMutex();
    mutexes.set(db, mutex);
  }
  return mutex;
}
