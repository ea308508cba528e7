import { BackendError, invalidArgument } from "./errors.js";
import type { DatabaseType, SqlCustomType, SqlTypeName, TypeMapper } from "./sql.js";
import { DATABASE_TYPES } from "./sql-values.js";

const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A database's type mapper: the dialect's portable types plus the custom types registered
 * on that database (`db.registerType`). Each `SqlDatabase` owns one, shared by its
 * transactions, so a registration never leaks into another backend instance.
 *
 * @example
 * ```ts
 * const types = new SqlTypeRegistry("sqlite", sqliteTypes);
 * types.register("money", { columnType: "TEXT", toDriver: String, fromDriver: (v) => BigInt(v as string) });
 * types.fromDatabase("1250", "money"); // 1250n
 * ```
 */
export class SqlTypeRegistry implements TypeMapper {
  readonly #backend: string;
  readonly #base: TypeMapper;
  readonly #custom = new Map<string, SqlCustomType<unknown>>();

  constructor(backend: string, base: TypeMapper) {
    this.#backend = backend;
    this.#base = base;
  }

  /**
   * Adds a custom type. The name follows identifier rules and may not be a portable type
   * or a registered one; the definition needs a non-empty `columnType` and two functions.
   * All of it is checked here, `INVALID_ARGUMENT` otherwise.
   *
   * @example
   * ```ts
   * types.register("cents", { columnType: "bigint", toDriver: (n) => n, fromDriver: (v) => BigInt(v as string) });
   * ```
   */
  register<T>(name: string, type: SqlCustomType<T>): void {
    const backend = this.#backend;
    if (typeof name !== "string" || !TYPE_NAME.test(name)) {
      throw invalidArgument(
        backend,
        `custom type name must match ${TYPE_NAME} (letters, digits, _), got ${JSON.stringify(name)}`,
      );
    }
    if (DATABASE_TYPES.includes(name as DatabaseType)) {
      throw invalidArgument(backend, `"${name}" is a portable type; register the custom type under another name`);
    }
    if (this.#custom.has(name)) throw invalidArgument(backend, `custom type "${name}" is already registered`);
    const t = type as Partial<SqlCustomType<T>> | null;
    if (t === null || typeof t !== "object") throw invalidArgument(backend, "a custom type must be an object");
    if (typeof t.columnType !== "string" || t.columnType.trim() === "") {
      throw invalidArgument(backend, `custom type "${name}" needs a columnType (its DDL type, e.g. "numeric(19, 4)")`);
    }
    if (typeof t.toDriver !== "function" || typeof t.fromDriver !== "function") {
      throw invalidArgument(backend, `custom type "${name}" needs toDriver and fromDriver functions`);
    }
    this.#custom.set(name, Object.freeze({ ...t }) as SqlCustomType<unknown>);
  }

  /**
   * True for a portable type or a registered custom type.
   *
   * @example
   * ```ts
   * if (!types.has("money")) types.register("money", money);
   * ```
   */
  has(name: string): boolean {
    return DATABASE_TYPES.includes(name as DatabaseType) || this.#custom.has(name);
  }

  columnType(type: SqlTypeName, params?: { length?: number; precision?: number; scale?: number }): string {
    const custom = this.#custom.get(type);
    if (custom === undefined) return this.#base.columnType(type, params);
    if (params !== undefined) {
      throw invalidArgument(
        this.#backend,
        `custom type "${type}" takes no parameters; its DDL is fixed at registration`,
      );
    }
    return custom.columnType;
  }

  toDatabase(value: unknown, type?: SqlTypeName): unknown {
    const custom = type === undefined ? undefined : this.#custom.get(type);
    if (custom === undefined) return this.#base.toDatabase(value, type);
    if (value === undefined) throw invalidArgument(this.#backend, "undefined cannot be stored; pass null for SQL NULL");
    if (value === null) return null;
    try {
      return custom.toDriver(value);
    } catch (err) {
      if (err instanceof BackendError) throw err;
      throw new BackendError("INVALID_ARGUMENT", `custom type "${type}" refused the value: ${describe(err)}`, {
        backend: this.#backend,
        cause: err,
      });
    }
  }

  fromDatabase(value: unknown, type: SqlTypeName): unknown {
    const custom = this.#custom.get(type);
    if (custom === undefined) return this.#base.fromDatabase(value, type);
    if (value === null || value === undefined) return null;
    return custom.fromDriver(value);
  }
}
