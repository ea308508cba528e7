export type { SqlColumnField, SqlComparison, SqlDialect, SqlJsonField, SqlJsonKind } from "./sql-dialect.js";
export { SqlParams } from "./sql-params.js";
export { conditionSql, whereSql } from "./where-sql.js";
