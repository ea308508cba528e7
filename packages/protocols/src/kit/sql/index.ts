/**
 * The SQL protocol's shared layer: {@link createSqlDatabase} builds the public database
 * from a dialect's narrow {@link SqlDriver}.
 *
 * @example
 * ```ts
 * import { createSqlDatabase } from "@core/protocols/kit";
 * const db = createSqlDatabase(driver);
 * ```
 *
 * @packageDocumentation
 */

export type { CheckedTransactionOptions } from "../../sql-transaction.js";
export { createSqlDatabase } from "./sql-database-level.js";
export type { SqlDriver, SqlSession } from "./sql-driver.js";
