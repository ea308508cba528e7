import {
  type Backend,
  BackendError,
  type Capabilities,
  type ErrorCode,
  type SqlDatabase,
  type SqlFragment,
  sql,
} from "@core/protocols";
import { expect } from "vitest";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";

/**
 * What every SQL test reads: the client opened in `beforeAll`, its capabilities (read while
 * collecting, so gated tests are registered, never skipped) and table helpers that drop
 * what a test created.
 *
 * @example
 * ```ts
 * const t = await ctx.table("id integer primary key, name text");
 * await ctx.db.execute(sql`insert into ${t} (id, name) values (${1}, ${"a"})`);
 * ```
 */
export interface SqlContext {
  readonly options: ConformanceOptions;
  readonly caps: Capabilities;
  /** The client opened in `beforeAll`. */
  backend: Backend;
  /** `backend.sql()`. */
  readonly db: SqlDatabase;
  /** `db.dialect.name`. */
  readonly dialectName: string;
  /** Creates a freshly named table with the given column DDL; dropped after the suite. */
  table(columns: string, db?: SqlDatabase): Promise<SqlFragment>;
  /** Drops every table created through {@link table}. */
  dropTables(): Promise<void>;
}

/**
 * Builds the context; `backend` is filled in by `beforeAll`.
 *
 * @example
 * ```ts
 * const ctx = createSqlContext(options, probe.capabilities);
 * ```
 */
export function createSqlContext(options: ConformanceOptions, caps: Capabilities): SqlContext {
  const created: string[] = [];
  const ctx: SqlContext = {
    options,
    caps,
    backend: undefined as unknown as Backend,
    get db() {
      return ctx.backend.sql();
    },
    get dialectName() {
      return ctx.backend.sql().dialect.name;
    },
    async table(columns, db = ctx.db) {
      const name = freshName("sql").replaceAll("-", "_");
      created.push(name);
      await db.execute(sql`create table ${sql.id(name)} (${sql.raw(columns)})`);
      return sql.id(name);
    },
    async dropTables() {
      const db = ctx.db;
      // Newest first: a later table may reference an earlier one.
      for (const name of created.splice(0).reverse()) {
        await db.execute(sql`drop table if exists ${sql.id(name)}`).catch(() => undefined);
      }
    },
  };
  return ctx;
}

/**
 * Awaits `fn` and returns what it threw (failing the test when it did not throw).
 *
 * @example
 * ```ts
 * const err = await caught(() => db.query(sql`selec 1`));
 * ```
 */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail, it succeeded");
}

/**
 * Asserts that `fn` fails with a `BackendError` of `code` (an instance of `cls` when given,
 * with a `[backend]` message prefix) and returns the error.
 *
 * @example
 * ```ts
 * await expectSqlError(() => db.query(sql`selec 1`), "INVALID_ARGUMENT", QueryError);
 * ```
 */
export async function expectSqlError(
  fn: () => unknown,
  code: ErrorCode,
  cls: abstract new (...args: never[]) => BackendError = BackendError,
): Promise<BackendError> {
  const error = await caught(fn);
  expect(error, `expected a ${cls.name} with code ${code}, got ${String(error)}`).toBeInstanceOf(cls);
  expect(error).toBeInstanceOf(BackendError);
  expect((error as BackendError).code).toBe(code);
  expect((error as Error).message).toMatch(/^\[[^\]]+\] /);
  return error as BackendError;
}

/**
 * A promise with its resolver, to hold a transaction open until the test releases it.
 *
 * @example
 * ```ts
 * const gate = deferred(); setTimeout(gate.resolve, 10); await gate.promise;
 * ```
 */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Counts the rows of a table.
 *
 * @example
 * ```ts
 * expect(await countRows(db, t)).toBe(2);
 * ```
 */
export async function countRows(db: Pick<SqlDatabase, "query">, table: SqlFragment): Promise<number> {
  const rows = await db.query<{ n: unknown }>(sql`select count(*) as n from ${table}`);
  return Number(rows[0]?.n);
}

/**
 * The column DDL of a `(id, name)` table in the dialect's own types.
 *
 * @example
 * ```ts
 * const t = await ctx.table(idNameColumns(ctx.db));
 * ```
 */
export function idNameColumns(db: SqlDatabase): string {
  return `id ${db.types.columnType("integer")} primary key, name ${db.types.columnType("text")}`;
}
