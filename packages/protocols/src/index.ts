export { AsyncMutex } from "./async-mutex.js";
export type { Backend, RecordStoreOptions } from "./backend.js";
export { type BucketedQueueOptions, createBucketedQueue } from "./bucketed-queue.js";
export type { Cache, CacheEntry, CacheOptions, CacheStats, FailOpenOperation, SetOptions } from "./cache.js";
export { type Capabilities, defineCapabilities } from "./capabilities.js";
export { type Codec, defaultCodec } from "./codec.js";
export { type CursorPosition, decodeCursor, encodeCursor, isAfterCursor } from "./cursor.js";
export { postgresDialect, quoteIdentifier, sqliteDialect } from "./dialects.js";
export {
  BackendError,
  type BackendErrorOptions,
  closedError,
  type ErrorCode,
  invalidArgument,
  notSupported,
} from "./errors.js";
export {
  type Condition,
  compareCodePoints,
  compareFieldValues,
  compareRecords,
  compileFilter,
  type FieldOperators,
  type Filter,
  type FilterValue,
  fieldValue,
  matchesFilter,
  type Ordering,
  type ParsedField,
  parseField,
  parseOrderBy,
  typeRank,
} from "./filter.js";
export { getOrSet } from "./get-or-set.js";
export { compileGlob } from "./glob.js";
export {
  buildHint,
  type DetectOptions,
  type DriverProblem,
  detectPackageManager,
  driverNotInstalled,
  installCommand,
  isMissingPackage,
  type PackageManager,
} from "./install-hint.js";
export { Lifecycle } from "./lifecycle.js";
export { type BackoffOptions, backoffDelay, type ResolvedBackoff, resolveBackoff } from "./publisher/backoff.js";
export { createPublisher } from "./publisher/create-publisher.js";
export { PublishError } from "./publisher/publish-error.js";
export {
  type StubSendCall,
  type StubTransport,
  type StubTransportOptions,
  stubTransport,
} from "./publisher/stub-transport.js";
export type {
  ChannelConfig,
  FailureDecision,
  PublishAttempt,
  PublishContext,
  Publisher,
  PublisherLogger,
  PublisherOptions,
  PublishFailureContext,
  PublishOptions,
  PublishReceipt,
  TransportReceipt,
} from "./publisher/types.js";
export {
  bucketFor,
  type GetOptions,
  type GroupEntry,
  type GroupStreamOptions,
  type PutOptions,
  type Queue,
  type QueueBucketStats,
  type QueueEntry,
  type QueueOptions,
  type QueueStats,
  type ReadOptions,
  type StreamOptions,
  type TrimOptions,
} from "./queue.js";
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
} from "./queue-input.js";
export { MAX_JSON_DEPTH, validateJsonObject } from "./record-json.js";
export {
  DEFAULT_MAX_LIMIT,
  DEFAULT_QUERY_LIMIT,
  type NormalizedCountQuery,
  type NormalizedQuery,
  normalizeCountQuery,
  normalizeQuery,
  normalizeRecordStoreOptions,
} from "./record-query-validation.js";
export { countMatching, type SelectedPage, selectPage } from "./record-select.js";
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
} from "./record-validation.js";
export {
  type Cursor,
  LAYERS,
  type Layer,
  type OnConflict,
  type RecordField,
  type RecordInput,
  type RecordPage,
  type RecordQuery,
  type RecordStore,
  type Sighting,
  type SightingInput,
  type StoreBatchResult,
  type StoredRecord,
} from "./records.js";
export { redactUrl } from "./redact.js";
export {
  type BackendProvider,
  BUILTIN_SCHEMES,
  loadProvider,
  type OpenOptions,
  openBackend,
  registerBackend,
  schemeOf,
  unregisterBackend,
} from "./registry.js";
export { checkSendOptions, SEND_OPTION_NAMES } from "./send-options.js";
export type {
  BeginOptions,
  CompiledQuery,
  DatabaseType,
  Dialect,
  ExecuteOptions,
  ExecuteResult,
  IsolationLevel,
  SqlCustomType,
  SqlDatabase,
  SqlExecutor,
  SqlInput,
  SqlTransaction,
  SqlTypeName,
  TransactionOptions,
  TypeMapper,
} from "./sql.js";
export {
  ConnectionError,
  DeadlockError,
  IntegrityError,
  OperationalError,
  QueryError,
  TransactionError,
} from "./sql-errors.js";
export { applyExecuteOptions, type CheckedExecuteOptions, checkExecuteOptions } from "./sql-execute.js";
export {
  ExplicitTransaction,
  type ExplicitTransactionParts,
  openExplicitTransaction,
} from "./sql-explicit-transaction.js";
export { SavepointNames } from "./sql-savepoints.js";
export { SqlFragment, sql, toCompiledQuery } from "./sql-tag.js";
export {
  type CheckedTransactionOptions,
  checkBeginOptions,
  checkTransactionOptions,
  ISOLATION_LEVELS,
  runInScope,
  runWithRetries,
  savepointName,
  type TransactionScope,
} from "./sql-transaction.js";
export { SqlTypeRegistry } from "./sql-type-registry.js";
export { type ColumnParams, canonicalSqlValue, checkColumnType, DATABASE_TYPES } from "./sql-values.js";
export { type TieredCacheOptions, tieredCache } from "./tiered-cache.js";
export type {
  Message,
  MessageHandler,
  SendOptionName,
  SendOptions,
  SendResult,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportOptions,
} from "./transport.js";
export {
  type CheckedSubscribe,
  encodeMessageBody,
  type ResolvedTransportOptions,
  resolveTransportOptions,
  validateMessage,
  validateSend,
  validateSubscribe,
} from "./transport-input.js";
export { TransportSubscriptions } from "./transport-subscriptions.js";
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
} from "./validation.js";
export { limitValueSize } from "./value-limit.js";
