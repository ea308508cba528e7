import type {
  BeginOptions,
  Dialect,
  ExecuteOptions,
  ExecuteResult,
  SqlCustomType,
  SqlDatabase,
  SqlExecutor,
  SqlInput,
  SqlTransaction,
  TransactionOptions,
  TypeMapper,
} from "@core/protocols";
import { type Context, context } from "@opentelemetry/api";
import { DbSpecs } from "./specs.js";
import type { Telemetry } from "./telemetry.js";

/**
 * A SQL executor whose `execute`, `query` and `transaction` are `db.*` spans
 * (`db.operation.name` = the method; no `db.query.text`, which the conventions leave
 * opt-in because statements may hold sensitive literals). Statements inside a transaction
 * are spans under the transaction's span, also without a context manager.
 *
 * @example
 * ```ts
 * const tx = new InstrumentedSqlExecutor(executor, telemetry, new DbSpecs("sqlite", undefined));
 * await tx.query(sql`select 1`);
 * ```
 */
export class InstrumentedSqlExecutor implements SqlExecutor {
  readonly #inner: SqlExecutor;
  protected readonly telemetry: Telemetry;
  protected readonly specs: DbSpecs;
  /** The span context statements are children of (a transaction's), else the active one. */
  protected readonly parent: Context | undefined;

  constructor(inner: SqlExecutor, telemetry: Telemetry, specs: DbSpecs, parent?: Context) {
    this.#inner = inner;
    this.telemetry = telemetry;
    this.specs = specs;
    this.parent = parent;
  }

  get dialect(): Dialect {
    return this.#inner.dialect;
  }
  get types(): TypeMapper {
    return this.#inner.types;
  }

  /** Runs `fn` in a span named `operation`, or bare when no provider is registered. */
  protected call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (!this.telemetry.enabled()) return fn();
    return this.telemetry.run(this.specs.of(operation), fn, this.parent);
  }

  execute<R = Record<string, unknown>>(query: SqlInput, options?: ExecuteOptions): Promise<ExecuteResult<R>> {
    return this.call("execute", () => this.#inner.execute<R>(query, options));
  }

  query<R = Record<string, unknown>>(query: SqlInput): Promise<R[]> {
    return this.call("query", () => this.#inner.query<R>(query));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (!this.telemetry.enabled()) return this.#inner.transaction(fn, options);
    return this.telemetry.run(
      this.specs.of("transaction"),
      (_span, active) =>
        this.#inner.transaction(
          (tx) => fn(new InstrumentedSqlExecutor(tx, this.telemetry, this.specs, active)),
          options,
        ),
      this.parent ?? context.active(),
    );
  }
}

/**
 * A transaction opened with `begin()`: its statements and `commit`, `rollback`,
 * `savepoint`, `rollbackTo`, `release` are spans under the `begin` span's context.
 *
 * @example
 * ```ts
 * await using tx = await db.begin(); // db = instrument(backend).sql()
 * await tx.execute(sql`insert into t values (1)`);
 * await tx.commit();
 * ```
 */
export class InstrumentedSqlTransaction extends InstrumentedSqlExecutor implements SqlTransaction {
  readonly #tx: SqlTransaction;

  constructor(tx: SqlTransaction, telemetry: Telemetry, specs: DbSpecs, parent?: Context) {
    super(tx, telemetry, specs, parent);
    this.#tx = tx;
  }

  get state(): "open" | "committed" | "rolled back" {
    return this.#tx.state;
  }
  commit(): Promise<void> {
    return this.call("commit", () => this.#tx.commit());
  }
  rollback(): Promise<void> {
    return this.call("rollback", () => this.#tx.rollback());
  }
  savepoint(name: string): Promise<void> {
    return this.call("savepoint", () => this.#tx.savepoint(name));
  }
  rollbackTo(name: string): Promise<void> {
    return this.call("rollbackTo", () => this.#tx.rollbackTo(name));
  }
  release(name: string): Promise<void> {
    return this.call("release", () => this.#tx.release(name));
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.#tx[Symbol.asyncDispose]();
  }
}

/**
 * The SQL database of an instrumented backend: statements, `transaction` and `begin` are
 * `db.*` CLIENT spans; `registerType` passes through.
 *
 * @example
 * ```ts
 * const db = new InstrumentedSql(backend.sql(), telemetry, "sqlite");
 * await db.query(sql`select 1`);
 * ```
 */
export class InstrumentedSql extends InstrumentedSqlExecutor implements SqlDatabase {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase, telemetry: Telemetry, system: string) {
    super(db, telemetry, new DbSpecs(system, undefined));
    this.#db = db;
  }

  begin(options?: BeginOptions): Promise<SqlTransaction> {
    if (!this.telemetry.enabled()) return this.#db.begin(options);
    return this.telemetry.run(this.specs.of("begin"), async (_span, active) => {
      const tx = await this.#db.begin(options);
      return new InstrumentedSqlTransaction(tx, this.telemetry, this.specs, active);
    });
  }

  registerType<T>(name: string, type: SqlCustomType<T>): void {
    this.#db.registerType(name, type);
  }
}
