/**
 * `@core/protocols/kit` — building blocks for backend authors.
 *
 * Application code imports `@core/protocols`; a backend imports the shared protocol layer
 * from here: {@link defineBackend} builds the whole `Backend` object (lifecycle, `CLOSED`,
 * `NOT_SUPPORTED` for absent protocols, `asyncDispose`) and each protocol's public object
 * is built once from a narrow driver, so a backend supplies only storage. The lower-level
 * helpers (validation, cursors, filter evaluation, SQL executor pieces, install hints)
 * are here too, for drivers that need them.
 *
 * @example
 * ```ts
 * import { defineBackend, defineCapabilities } from "@core/protocols/kit";
 * ```
 *
 * @packageDocumentation
 */
export { AsyncMutex } from "../async-mutex.js";
export { type BucketedQueueOptions, createBucketedQueue } from "../bucketed-queue.js";
export { defineCapabilities, SHARED_STORE_FEATURES } from "../capabilities.js";
export { type CursorPosition, decodeCursor, encodeCursor, isAfterCursor } from "../cursor.js";
export { postgresDialect, quoteIdentifier, sqliteDialect } from "../dialects.js";
export { closedError, invalidArgument, notSupported } from "../errors.js";
export {
  compareCodePoints,
  compareFieldValues,
  compareRecords,
  compileFilter,
  fieldValue,
  matchesFilter,
  type Ordering,
  type ParsedField,
  parseField,
  parseOrderBy,
  typeRank,
} from "../filter.js";
export { compileGlob } from "../glob.js";
export {
  buildHint,
  type DetectOptions,
  type DriverProblem,
  detectPackageManager,
  driverNotInstalled,
  installCommand,
  isMissingPackage,
  type PackageManager,
} from "../install-hint.js";
export { Lifecycle } from "../lifecycle.js";
export { type PeerDriverInfo, peerDriver } from "../peer-driver.js";
export { backoffDelay, type ResolvedBackoff, resolveBackoff } from "../publisher/backoff.js";
export {
  checkCodec,
  checkGetOptions,
  checkPutOptions,
  checkQueueOptions,
  checkReadOptions,
  checkStreamOptions,
  checkTrimOptions,
  encodeValue,
  MAX_BUCKETS,
  MAX_PAGE_SIZE,
} from "../queue-input.js";
export { MAX_JSON_DEPTH, validateJsonObject } from "../record-json.js";
export {
  DEFAULT_MAX_LIMIT,
  DEFAULT_QUERY_LIMIT,
  type NormalizedCountQuery,
  type NormalizedQuery,
  normalizeCountQuery,
  normalizeQuery,
  normalizeRecordStoreOptions,
} from "../record-query-validation.js";
export { countMatching, type SelectedPage, selectPage } from "../record-select.js";
export {
  MAX_CONTENT_HASH_LENGTH,
  MAX_SOURCE_LENGTH,
  type NormalizedRecordInput,
  type NormalizedSightingInput,
  normalizeLayer,
  validateBatchOptions,
  validateRecordBatch,
  validateRecordInput,
  validateSightingInput,
  validateStoreOptions,
} from "../record-validation.js";
export { redactUrl } from "../redact.js";
export { schemeOf } from "../registry.js";
export { checkSendOptions, SEND_OPTION_NAMES } from "../send-options.js";
export { type SqlFailure, sqlError } from "../sql-errors.js";
export { applyExecuteOptions, type CheckedExecuteOptions, checkExecuteOptions } from "../sql-execute.js";
export {
  ExplicitTransaction,
  type ExplicitTransactionParts,
  openExplicitTransaction,
} from "../sql-explicit-transaction.js";
export { SavepointNames } from "../sql-savepoints.js";
export { toCompiledQuery } from "../sql-tag.js";
export {
  type CheckedTransactionOptions,
  checkBeginOptions,
  checkTransactionOptions,
  ISOLATION_LEVELS,
  runInScope,
  runWithRetries,
  savepointName,
  type TransactionScope,
} from "../sql-transaction.js";
export { SqlTypeRegistry } from "../sql-type-registry.js";
export {
  asBuffer,
  type ColumnParams,
  canonicalSqlValue,
  checkColumnType,
  DATABASE_TYPES,
  sqlParameter,
} from "../sql-values.js";
export {
  type CheckedSubscribe,
  encodeMessageBody,
  type ResolvedTransportOptions,
  resolveTransportOptions,
  validateMessage,
  validateSend,
  validateSubscribe,
} from "../transport-input.js";
export { TransportSubscriptions } from "../transport-subscriptions.js";
export {
  assertInteger,
  assertKey,
  assertKeys,
  assertName,
  assertNonNegativeInteger,
  assertPlainObject,
  assertTtl,
  describeValue,
  isPlainObject,
  MAX_KEY_BYTES,
  MAX_NAME_LENGTH,
} from "../validation.js";
export { limitValueSize } from "../value-limit.js";
export * from "./backend/index.js";
export * from "./cache/index.js";
export { type ErrorRow, errorTable } from "./error-table.js";
export { mapFailure } from "./map-failure.js";
export * from "./queue/index.js";
export * from "./records/index.js";
export * from "./sql/index.js";
export * from "./sql-cache/index.js";
export * from "./sql-dialect/index.js";
export * from "./sql-queue/index.js";
export * from "./sql-records/index.js";
export * from "./transport/index.js";
