import { createHash } from "node:crypto";
import { BackendError } from "@core/protocols";
import { closedError } from "@core/protocols/kit";
import type { PoolClient, QueryConfig, QueryResult, QueryResultRow } from "pg";
import { guard, toBackendError } from "./errors.js";
import type { PostgresShared } from "./shared.js";

// Statement text → prepared-statement name. pg parses a named statement once per
// connection and then only binds it, which saves the server a parse and plan per call.
// The name is a hash of the text, so two copies of this module sharing one pool agree on
// it. Bounded: past the cap (many distinct query shapes) statements run unnamed, so
// neither this map nor each connection's set of prepared statements grows without end.
const NAMES = new Map<string, string>();
const MAX_NAMED = 2000;

function nameOf(text: string): string | undefined {
  let name = NAMES.get(text);
  if (name === undefined && NAMES.size < MAX_NAMED) {
    name = `core_${createHash("sha1").update(text).digest("base64url").slice(0, 24)}`;
    NAMES.set(text, name);
  }
  return name;
}

/**
 * A statement as a pg query config, named (prepared once per connection) when the cap of
 * distinct statements allows.
 *
 * @example
 * ```ts
 * await client.query(statement("SELECT value FROM t WHERE key = $1", [key]));
 * ```
 */
export function statement(text: string, values: unknown[]): QueryConfig {
  const name = nameOf(text);
  return name === undefined ? { text, values } : { name, text, values };
}

/**
 * Runs one parameterised statement on the pool as in-flight work of the backend (so
 * `close()` waits for it), mapping failures to `BackendError`. Prepared (named) unless
 * `prepare` is false: pass false for a statement filtering by `= ANY($n)` over a
 * parameter array, whose generic plan would compare every row with every element (a
 * custom plan hashes a constant array).
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
  prepare = true,
): Promise<QueryResult<R>> {
  const life = shared.lifecycle;
  if (life.closed) return Promise.reject(closedError(life.backend));
  const config = prepare ? statement(text, params) : { text, values: params };
  // Inline rather than `lifecycle.run(() => guard(...))`: no closures per statement, and
  // the error mapping is one rejection handler made once per operation name.
  let promise: Promise<QueryResult<R>>;
  try {
    promise = shared.pool.query<R>(config);
  } catch (err) {
    return Promise.reject(toBackendError(err, what));
  }
  return life.track(promise.then(undefined, failureOf(what)));
}

// Operation name → its rejection handler (the names are a fixed set of literals).
const FAILURES = new Map<string, (err: unknown) => never>();

function failureOf(what: string): (err: unknown) => never {
  let fail = FAILURES.get(what);
  if (fail === undefined) {
    fail = (err: unknown): never => {
      throw toBackendError(err, what);
    };
    FAILURES.set(what, fail);
  }
  return fail;
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
