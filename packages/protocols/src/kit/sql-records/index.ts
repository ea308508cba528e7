export { afterSql, orderSql } from "./record-order-sql.js";
export { countSql, type PlannedSql, pageSql, type RecordStatements, recordStatements } from "./record-statements.js";
export { type SqlRecordExecutor, type SqlRecordWrites, sqlRecordCollection } from "./sql-record-collection.js";
export type { SqlRecordDialect, SqlSortRank } from "./sql-record-dialect.js";
