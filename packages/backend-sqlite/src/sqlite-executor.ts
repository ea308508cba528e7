import type { MaybePromise, SqlExecutor, SqlRow, Waiter, WakeSource } from "@core/protocols/kit";
import type { Mark } from "./notifier.js";
import type { SqliteShared } from "./shared.js";

// Statement text → whether it numbers its parameters (?1): those bind an object by index.
const NUMBERED = new Map<string, boolean>();

function bind(text: string, params: unknown[]): unknown[] | Record<number, unknown> {
  let numbered = NUMBERED.get(text);
  if (numbered === undefined) NUMBERED.set(text, (numbered = /\?\d/.test(text)));
  if (!numbered) return params;
  const byIndex: Record<number, unknown> = {};
  for (let i = 0; i < params.length; i++) byIndex[i + 1] = params[i];
  return byIndex;
}

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
  const rows = (text: string, params: unknown[]) => shared.prepare(text).all(bind(text, params)) as SqlRow[];
  const changes = (text: string, params: unknown[]) => shared.prepare(text).run(bind(text, params)).changes;
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
