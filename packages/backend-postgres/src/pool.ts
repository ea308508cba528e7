import type { ConnectionOptions } from "node:tls";

/** What a statement returns, as far as the backend reads it. */
export interface PostgresQueryResultLike {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/** A statement as a config object (`text`, `values` and pg's per-query options). */
export interface PostgresQueryConfigLike {
  text: string;
  values?: unknown[];
  [option: string]: unknown;
}

/** A connection checked out of the pool, as the backend uses it. */
export interface PostgresPoolClientLike {
  query(textOrConfig: string | PostgresQueryConfigLike, values?: unknown[]): Promise<PostgresQueryResultLike>;
  /** `true` (or an error) discards the connection instead of returning it to the pool. */
  release(destroy?: boolean | Error): void;
}

/**
 * The pool you may pass to `openPostgresBackend({ pool })`, described by shape so the
 * published types need no `@types/pg`: a `pg.Pool` (pg 8) fits it as is. The backend
 * runs statements with `query`, transactions on a `connect()`ed client, and reads
 * `options` (when present) to open its LISTEN connection the same way. It never calls
 * `end()` on a pool it did not create.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const pool: PostgresPoolLike = new pg.Pool({ connectionString: "postgres://app@db/app" });
 * const backend = await openPostgresBackend({ pool });
 * ```
 */
export interface PostgresPoolLike {
  connect(): Promise<PostgresPoolClientLike>;
  query(textOrConfig: string | PostgresQueryConfigLike, values?: unknown[]): Promise<PostgresQueryResultLike>;
  end(): Promise<void>;
  on(event: "error", listener: (err: Error) => void): unknown;
  /** The pool's connection settings (pg's `PoolOptions`), reused for the LISTEN connection. */
  readonly options?: object;
}

/** TLS settings as pg takes them: `true`, or Node's `tls.ConnectionOptions`. */
export type PostgresSslOptions = boolean | ConnectionOptions;
