import type { MaybePromise, SqlExecutor, SqlRow, Waiter, WakeSource } from "@core/protocols/kit";
import type { SqliteStatement } from "./driver.js";
import type { Mark } from "./notifier.js";
import { arrange, positional, type SlotOrder } from "./positional.js";
import type { SqliteShared } from "./shared.js";

/**
 * The shared SQL layers' executor on the backend's connection: each statement runs as an
 * operation of the backend (`CLOSED`, the `sql()` mutex, error mapping), synchronously
 * when the connection is free; `atomic` runs in `BEGIN IMMEDIATE`.
 *
 * @example
 * ```ts
 * const exec = sqliteExecutor(shared);
 * ```
 */
export function sqliteExecutor(shared: SqliteShared): SqlExecutor {
  // Each text's statement and parameter order, found once: numbered texts (`?1`) bind positionally.
  const plans = new Map<string, { statement: SqliteStatement; order: SlotOrder | undefined }>();
  const plan = (text: string) => {
    let found = plans.get(text);
    if (found === undefined) {
      const { sql, order } = positional(text);
      // `$now` is the cache statements' clock; these statements take their times as arguments.
      if (order?.includes(-1)) throw new Error(`$now in a statement of the shared SQL layers: ${text}`);
      plans.set(text, (found = { statement: shared.prepare(sql), order }));
    }
    return found;
  };
  const rows = (text: string, params: unknown[]) => {
    const { statement, order } = plan(text);
    return statement.all(...(order === undefined ? params : arrange(order, params, 0))) as SqlRow[];
  };
  const changes = (text: string, params: unknown[]) => {
    const { statement, order } = plan(text);
    return statement.run(...(order === undefined ? params : arrange(order, params, 0))).changes;
  };
  // Inside the transaction the statements run directly: the connection is this work's.
  const raw: SqlExecutor = { rows, changes };
  return {
    rows: (text, params) => shared.runNow(() => rows(text, params)),
    changes: (text, params) => shared.runNow(() => changes(text, params)),
    // A synchronous executor's steps chain synchronously (`andThen`), so `fn` is done when it returns.
    atomic: <T>(_operation: string, fn: (tx: SqlExecutor) => MaybePromise<T>) =>
      shared.runNow(() => shared.write(() => fn(raw) as T)),
  };
}

/**
 * The backend's wake-ups for the shared SQL layers: writes of this connection wake at
 * once (`notify`), other processes' commits through the notifier's `data_version` polling.
 *
 * @example
 * ```ts
 * const waiter = sqliteWake(shared).arm("q:events");
 * ```
 */
export function sqliteWake(shared: SqliteShared): WakeSource {
  const { notifier } = shared;
  return {
    notify: (key) => notifier.notify(key),
    arm(key): Waiter {
      // Marked before a read: a write committed after it (here or elsewhere) wakes the wait.
      let mark: Mark = notifier.mark(key);
      return {
        async wait(timeoutMs, signal) {
          // Whichever ends first cancels the other: neither leaves a timer or listener behind.
          const timeout = new AbortController();
          const timer = setTimeout(() => timeout.abort(), timeoutMs);
          await notifier.wait(key, mark, signal, shared.lifecycle.signal, timeout.signal);
          clearTimeout(timer);
          try {
            mark = notifier.mark(key);
          } catch {
            // The connection went away: the caller's next read reports it.
          }
        },
        dispose: () => {},
      };
    },
  };
}
