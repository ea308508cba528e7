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

/**
 * A type name the type mapper takes: a portable {@link DatabaseType}, or the name of a
 * custom type registered with {@link SqlDatabase.registerType}.
 */
export type SqlTypeName = DatabaseType | (string & {});

/** Column types and value conversions of a dialect (plus the database's custom types). */
export interface TypeMapper {
  /** DDL type for a portable or registered type, e.g. `columnType("varchar", { length: 40 })`. */
  columnType(type: SqlTypeName, params?: { length?: number; precision?: number; scale?: number }): string;
  /** JS value → driver parameter. */
  toDatabase(value: unknown, type?: SqlTypeName): unknown;
  /** Driver value → JS value, identical on every dialect. */
  fromDatabase(value: unknown, type: SqlTypeName): unknown;
}

/**
 * A custom column type for {@link SqlDatabase.registerType}: its DDL on this database and
 * its two conversions. `null` never reaches them (it stays SQL NULL).
 *
 * @example
 * ```ts
 * const money: SqlCustomType<bigint> = {
 *   columnType: "numeric(19, 4)",
 *   toDriver: (cents) => (Number(cents) / 100).toFixed(2),
 *   fromDriver: (v) => BigInt(Math.round(Number(v) * 100)),
 * };
 * ```
 */
export interface SqlCustomType<T = unknown> {
  /** The column's DDL type on this database, e.g. `"numeric(19, 4)"` or `"TEXT"`. */
  readonly columnType: string;
  /** JS value → driver parameter (what `types.toDatabase(value, name)` returns). */
  toDriver(value: T): unknown;
  /** Driver value → JS value (what `types.fromDatabase(value, name)` and `columnTypes` give). */
  fromDriver(value: unknown): T;
}

/** Options of `execute`. */
export interface ExecuteOptions {
  /**
   * `true` states that the statement returns rows (rows are always returned, so it changes
   * nothing). A column name (`"id"`) sets `lastInsertId` from that column of the last row
   * the statement's `RETURNING` clause gives; the statement must have one.
   */
  returning?: boolean | string;
  /**
   * Result columns to convert through the type mapper, by column name: e.g.
   * `{ at: "datetime", doc: "json", ok: "boolean", price: "money" }`. Names are portable
   * types or registered custom types (checked before the statement runs); a column a row
   * does not have is left alone.
   */
  columnTypes?: Readonly<Record<string, SqlTypeName>>;
}

/** Result of `execute`. */
export interface ExecuteResult<R = Record<string, unknown>> {
  rows: R[];
  affectedRows: number;
  /** sqlite: the rowid of an INSERT; both dialects: the `returning` column of the last returned row. */
  lastInsertId?: number | bigint | string;
}

/** Options of `transaction`. */
export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
  /** Re-run the whole transaction this many times on `SERIALIZATION` errors, with backoff. */
  retries?: number;
}

/** Options of `begin`: those of `transaction` without `retries` (there is no callback to re-run). */
export type BeginOptions = Omit<TransactionOptions, "retries">;

/** Anything `execute`/`query` accept: a `sql` template, or raw text in the native dialect. */
export type SqlInput =
  | { toQuery(dialect: Dialect): CompiledQuery }
  | CompiledQuery
  | { text: string; params?: readonly unknown[] };

/** Queries on a database or inside a transaction. */
export interface SqlExecutor {
  readonly dialect: Dialect;
  readonly types: TypeMapper;
  execute<R = Record<string, unknown>>(query: SqlInput, options?: ExecuteOptions): Promise<ExecuteResult<R>>;
  query<R = Record<string, unknown>>(query: SqlInput): Promise<R[]>;
  /** Nested calls open a savepoint (`sp_1`, `sp_2`, …). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

/**
 * An explicit transaction from {@link SqlDatabase.begin}: statements run in it until
 * `commit()` or `rollback()`; `await using` (or `try/finally` with `rollback`/
 * `[Symbol.asyncDispose]`) rolls back one left open. Any call after it finished — including
 * a second `commit`/`rollback` — throws `TransactionError` `INVALID_ARGUMENT`;
 * `[Symbol.asyncDispose]` alone is a no-op then. `transaction(fn)` inside it opens an
 * automatic savepoint; `savepoint`/`rollbackTo`/`release` manage named ones.
 *
 * @example
 * ```ts
 * await using tx = await db.begin({ isolationLevel: "serializable" });
 * await tx.execute(sql`insert into ${t} (id) values (${1})`);
 * await tx.savepoint("before_bonus");
 * await tx.execute(sql`update ${t} set n = n + 1`);
 * await tx.rollbackTo("before_bonus");
 * await tx.commit();
 * ```
 */
export interface SqlTransaction extends SqlExecutor, AsyncDisposable {
  /** `"open"` until `commit`/`rollback` (or a failed COMMIT, which rolls back). */
  readonly state: "open" | "committed" | "rolled back";
  /** Commits; if the COMMIT fails the transaction is rolled back and the error thrown. */
  commit(): Promise<void>;
  /** Rolls back everything since `begin`. */
  rollback(): Promise<void>;
  /**
   * Opens a named savepoint. Names follow unquoted-identifier rules (`[A-Za-z_][A-Za-z0-9_]*`,
   * at most 63 characters) and compare case-insensitively; anything else is `INVALID_ARGUMENT`.
   * A name may be reused: the newest savepoint of that name is the one addressed.
   */
  savepoint(name: string): Promise<void>;
  /** Undoes the work since savepoint `name` (kept open; later savepoints are dropped). Unknown names are `INVALID_ARGUMENT`. */
  rollbackTo(name: string): Promise<void>;
  /** Forgets savepoint `name` and every later one, keeping their work. Unknown names are `INVALID_ARGUMENT`. */
  release(name: string): Promise<void>;
  /** Rolls back if still open; does nothing once finished. */
  [Symbol.asyncDispose](): Promise<void>;
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
export interface SqlDatabase extends SqlExecutor {
  /**
   * Opens an explicit transaction. On postgres it holds one pooled connection until it
   * finishes; on sqlite it holds the single connection, so every other call on the backend
   * (SQL or not) waits until it finishes — never await those from the code holding it.
   */
  begin(options?: BeginOptions): Promise<SqlTransaction>;
  /**
   * Registers a custom type on this database: `types.columnType/toDatabase/fromDatabase`
   * and `execute`'s `columnTypes` then accept `name`. Names follow identifier rules and
   * cannot shadow a portable type or an already registered one (`INVALID_ARGUMENT`).
   */
  registerType<T>(name: string, type: SqlCustomType<T>): void;
}
