import type { BackendProvider } from "@core/protocols";
import { assertPlainObject, invalidArgument, redactUrl } from "@core/protocols/kit";
import type pg from "pg";
import { PostgresBackend } from "./backend.js";
import { connectionFields, type PostgresConnectionFields } from "./connection-fields.js";
import { loadPg } from "./driver.js";
import { BACKEND, toBackendError } from "./errors.js";
import type { PostgresPoolLike, PostgresSslOptions } from "./pool.js";
import { ensureSchema } from "./schema.js";

export { PostgresBackend } from "./backend.js";
export type { PostgresConnectionFields } from "./connection-fields.js";
export { codeOfSqlState, toBackendError } from "./errors.js";
export type {
  PostgresPoolClientLike,
  PostgresPoolLike,
  PostgresQueryConfigLike,
  PostgresQueryResultLike,
  PostgresSslOptions,
} from "./pool.js";

/**
 * Options of {@link openPostgresBackend}. The server and login come from `connectionString`,
 * or from `host`/`port`/`database`/`user`/`password` (not both), or from pg's `PG*`
 * environment variables.
 */
export interface PostgresBackendOptions extends PostgresConnectionFields {
  /** `postgres://user:password@host:port/database` (or `postgresql://`). Default: pg's PG* environment variables. */
  connectionString?: string;
  /** A `pg.Pool` (any {@link PostgresPoolLike}) you own: used as is and never ended by the backend. */
  pool?: PostgresPoolLike;
  /** Schema holding the backend's tables, created if missing. Default `"core"`. */
  schema?: string;
  /** Pool size (own pool only). Default 10. */
  max?: number;
  /** Server-side `statement_timeout` in ms (own pool only); a statement running longer fails with `TIMEOUT`. */
  statementTimeoutMs?: number;
  /** TLS options passed to pg (own pool only). */
  ssl?: PostgresSslOptions;
  /** `application_name` shown in `pg_stat_activity` (own pool only). Default `"@core/backend-postgres"`. */
  applicationName?: string;
  /**
   * Milliseconds to wait for a connection — TCP, TLS, authentication — or a free pooled
   * one (own pool only). Default 5000.
   */
  connectTimeoutMs?: number;
  /**
   * Milliseconds a statement may wait for the server's reply before it fails with
   * `TIMEOUT` (retryable) and its connection is discarded: pg's client-side
   * `query_timeout`, which also covers a server that stopped answering. Blocking reads
   * wait on LISTEN between statements, so they are not cut short. 0 waits forever (own
   * pool only). Default 30 000.
   */
  commandTimeoutMs?: number;
  /** Create the cache table `UNLOGGED` (faster writes, emptied after a server crash). Default false. */
  unloggedCache?: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
const CONTROL = /[\u0000-\u001f\u007f]/;

// pg's own limit on identifiers is 63 bytes; control characters are never a schema name.
function checkSchema(schema: unknown): string {
  if (typeof schema !== "string" || schema.length === 0 || Buffer.byteLength(schema) > 63 || CONTROL.test(schema)) {
    throw invalidArgument(
      BACKEND,
      `schema must be 1–63 bytes without control characters, got ${JSON.stringify(schema)}`,
    );
  }
  return schema;
}

function checkPositive(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidArgument(BACKEND, `${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Opens a PostgreSQL backend from a connection string (the backend owns and ends the
 * pool) or from a `pg.Pool` you own, and creates its schema and tables if missing (safe
 * when several processes start at once). Fails with `CONNECTION` — saying what to check,
 * never the password — when PostgreSQL is unreachable or does not answer
 * within `connectTimeoutMs` (retryable), or refuses the user, password or database (not
 * retryable).
 *
 * @example
 * ```ts
 * import { openPostgresBackend } from "@core/backend-postgres";
 * await using backend = await openPostgresBackend({ connectionString: "postgres://app@127.0.0.1/app" });
 * await backend.cache("sessions").set("s1", { user: 1 }, { ttlMs: 60_000 });
 * ```
 */
export async function openPostgresBackend(input: PostgresBackendOptions = {}): Promise<PostgresBackend> {
  assertPlainObject(BACKEND, input, "options");
  const options = input as PostgresBackendOptions;
  const schema = checkSchema(options.schema ?? "core");
  const unloggedCache = options.unloggedCache === true;
  const fields = connectionFields(options, options.pool !== undefined || options.connectionString !== undefined);
  if (options.pool !== undefined) {
    if (options.connectionString !== undefined)
      throw invalidArgument(BACKEND, "pass either connectionString or pool, not both");
    const pool = options.pool as Partial<PostgresPoolLike> | null;
    if (
      typeof pool !== "object" ||
      pool === null ||
      typeof pool.query !== "function" ||
      typeof pool.connect !== "function"
    ) {
      throw invalidArgument(BACKEND, "pool must be a pg.Pool");
    }
    await ensureSchema(options.pool as unknown as pg.Pool, schema, { unloggedCache });
    // The LISTEN connection is a client of its own, configured like the user's pool (its `options`).
    return new PostgresBackend(options.pool, { schema, owned: false });
  }
  const connectionString = options.connectionString;
  if (
    connectionString !== undefined &&
    (typeof connectionString !== "string" || !/^postgres(ql)?:\/\//i.test(connectionString))
  ) {
    throw invalidArgument(
      BACKEND,
      `connectionString must start with postgres:// or postgresql://, got ${JSON.stringify(redactUrl(String(connectionString)))}`,
    );
  }
  const statementTimeout = checkPositive(options.statementTimeoutMs, "statementTimeoutMs");
  const commandTimeout =
    options.commandTimeoutMs === 0 ? 0 : (checkPositive(options.commandTimeoutMs, "commandTimeoutMs") ?? 30_000);
  const config: pg.PoolConfig = {
    max: checkPositive(options.max, "max") ?? 10,
    connectionTimeoutMillis: checkPositive(options.connectTimeoutMs, "connectTimeoutMs") ?? 5000,
    application_name: options.applicationName ?? "@core/backend-postgres",
    ...fields,
  };
  if (connectionString !== undefined) config.connectionString = connectionString;
  if (statementTimeout !== undefined) config.statement_timeout = statementTimeout;
  if (commandTimeout > 0) config.query_timeout = commandTimeout;
  if (options.ssl !== undefined) config.ssl = options.ssl;
  const { Pool } = await loadPg();
  const pool = new Pool(config);
  // An idle connection that dies (server restart, pg_terminate_backend) must not crash
  // the process; the next query gets a fresh connection.
  pool.on("error", () => {});
  try {
    await ensureSchema(pool, schema, { unloggedCache });
  } catch (err) {
    await pool.end().catch(() => {});
    const where = connectionString === undefined ? "the server" : redactUrl(connectionString);
    throw toBackendError((err as { cause?: unknown }).cause ?? err, `cannot open ${where}`);
  }
  const { max: _max, ...listenerConfig } = config;
  return new PostgresBackend(pool, { schema, owned: true, listenerConfig });
}

/**
 * Splits a backend URL into the connection string pg gets and the backend's own query
 * parameter `schema` (`postgres://host/db?schema=app`). `postgresql://` works the same.
 *
 * @example
 * ```ts
 * postgresOptionsFromUrl("postgres://app@db/app?schema=feed"); // { connectionString: "postgres://app@db/app", schema: "feed" }
 * ```
 */
export function postgresOptionsFromUrl(url: string): { connectionString: string; schema?: string } {
  const match = /^([^?#]*)(\?[^#]*)?(#.*)?$/.exec(url);
  const base = match?.[1] ?? url;
  const params = new URLSearchParams(match?.[2]?.slice(1) ?? "");
  const schema = params.get("schema") ?? undefined;
  params.delete("schema");
  const rest = params.toString();
  const connectionString = rest ? `${base}?${rest}` : base;
  return schema === undefined ? { connectionString } : { connectionString, schema };
}

/**
 * Provider for `openBackend("postgres://…")` and `openBackend("postgresql://…")`; the
 * options are those of {@link openPostgresBackend} (without `connectionString`/`pool`).
 *
 * @example
 * ```ts
 * const backend = await openBackend("postgres://root@127.0.0.1:5432/test", { schema: "app" });
 * ```
 */
export const provider: BackendProvider = {
  name: BACKEND,
  schemes: ["postgres", "postgresql"],
  open: (url, options) =>
    openPostgresBackend({ ...(options as PostgresBackendOptions), ...postgresOptionsFromUrl(url) }),
};
