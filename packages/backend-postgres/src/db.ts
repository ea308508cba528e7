import { BackendError } from "@core/protocols";
import type { PoolClient, QueryResult, QueryResultRow } from "pg";
import { guard } from "./errors.js";
import type { PostgresShared } from "./shared.js";

/**
 * Runs one parameterised statement on the pool as in-flight work of the backend (so
 * `close()` waits for it), mapping failures to `BackendError`.
 *
 * @example
 * ```ts
 * const { rows } = await query(shared, "cache.get", "SELECT value FROM t WHERE key = $1", [key]);
 * ```
 */
export function query<R extends QueryResultRow = QueryResultRow>(
  shared: PostgresShared,
  what: string,
  text: string,
  params: unknown[] = [],
): Promise<QueryResult<R>> {
  return shared.lifecycle.run(() => guard(what, () => shared.pool.query<R>(text, params)));
}

/**
 * Runs `fn` in a transaction on one checked-out client: committed when it resolves,
 * rolled back when it throws; a client whose connection failed is discarded.
 *
 * @example
 * ```ts
 * await transaction(shared, "records.storeBatch", async (client) => { await client.query(…); });
 * ```
 */
export function transaction<T>(
  shared: PostgresShared,
  what: string,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return shared.lifecycle.run(() =>
    guard(what, async () => {
      const client = await shared.pool.connect();
      let broken: unknown;
      try {
        await client.query("BEGIN");
        const result = await fn(client);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        broken = err;
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        // Keep the connection unless it is the reason we failed (no SQLSTATE, not ours).
        const code = (broken as { code?: unknown } | undefined)?.code;
        const healthy =
          broken === undefined || broken instanceof BackendError || (typeof code === "string" && code.length === 5);
        client.release(healthy ? undefined : true);
      }
    }),
  );
}

/**
 * Resolves after `ms`, or at once when `signal` aborts. The timer is unref'd.
 *
 * @example
 * ```ts
 * await pause(100, signal);
 * ```
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener("abort", done, { once: true });
  });
}
