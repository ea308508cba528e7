/**
 * The cache of SQL backends, written once: {@link sqlCacheDriver} builds a cache driver
 * from a dialect's statements and executor.
 *
 * @example
 * ```ts
 * import { sqlCacheDriver } from "@core/protocols/kit";
 * const driver = sqlCacheDriver(dialect);
 * ```
 *
 * @packageDocumentation
 */
export type { SqlCacheDialect, SqlCacheExecutor, SqlCacheRow, SqlCacheStatements } from "./sql-cache-dialect.js";
export { sqlCacheDriver } from "./sql-cache-store.js";
