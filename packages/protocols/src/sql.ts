/** Transaction isolation levels. */
export type IsolationLevel = "read uncommitted" | "read committed" | "repeatable read" | "serializable";

/** Portable column types; `columnType` maps them to each dialect's DDL. */
export type DatabaseType =
  | "integer"
  | "bigint"
  | "float"
  | "decimal"
  | "varchar"
  | "text"
  | "date"
  | "time"
  | "datetime"
  | "boolean"
  | "json"
  | "array"
  | "uuid"
  | "blob";

/** A statement with its parameters in the dialect's placeholder style. */
export interface CompiledQuery {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** How a database spells SQL. */
export interface Dialect {
  readonly name: "sqlite" | "postgres" | (string & {});
  /** Placeholder for the parameter at 1-based `index` (`?` or `$1`). */
  placeholder(index: number): string;
  /** Quotes an identifier (`"a""b"`); rejects empty names and NUL. */
  quoteIdentifier(name: string): string;
  readonly supportsReturning: boolean;
  readonly supportsSavepoints: boolean;
}

/** Column types and value conversions of a dialect. */
export interface TypeMapper {
  /** DDL type for a portable type, e.g. `columnType("varchar", { length: 40 })`. */
  columnType(type: DatabaseType, params?: { length?: number; precision?: number; scale?: number }): string;
  /** JS value → driver parameter. */
  toDatabase(value: unknown, type?: DatabaseType): unknown;
  /** Driver value → JS value, identical on every dialect. */
  fromDatabase(value: unknown, type: DatabaseType): unknown;
}

/** Result of `execute`. */
export interface ExecuteResult<R = Record<string, unknown>> {
  rows: R[];
  affectedRows: number;
  lastInsertId?: number | bigint | string;
}

/** Options of `transaction`. */
export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
  /** Re-run the whole transaction this many times on `SERIALIZATION` errors, with backoff. */
  retries?: number;
}

/** Anything `execute`/`query` accept: a `sql` template, or raw text in the native dialect. */
export type SqlInput =
  | { toQuery(dialect: Dialect): CompiledQuery }
  | CompiledQuery
  | { text: string; params?: readonly unknown[] };

/** Queries on a database or inside a transaction. */
export interface SqlExecutor {
  readonly dialect: Dialect;
  readonly types: TypeMapper;
  execute<R = Record<string, unknown>>(query: SqlInput, options?: { returning?: boolean }): Promise<ExecuteResult<R>>;
  query<R = Record<string, unknown>>(query: SqlInput): Promise<R[]>;
  /** Nested calls open a savepoint (`sp_1`, `sp_2`, …). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

/**
 * SQL access (sqlite and postgres only).
 *
 * @example
 * ```ts
 * const db = backend.sql();
 * await db.transaction(async (tx) => {
 *   await tx.execute(sql`insert into ${sql.id("users")} (name) values (${name})`);
 * }, { isolationLevel: "serializable", retries: 3 });
 * ```
 */
export interface SqlDatabase extends SqlExecutor {}
