/**
 * `@core/protocols` — what application code uses: the protocol interfaces, `openBackend`
 * and the registry, errors and their codes, the codec, `tieredCache`, `getOrSet`, the
 * publisher and the `sql` tag.
 *
 * Building blocks for backend authors (the shared protocol layers, `defineBackend`,
 * validation, lifecycle, SQL executor helpers, …) live in `@core/protocols/kit`.
 *
 * @example
 * ```ts
 * import { openBackend } from "@core/protocols";
 * await using backend = await openBackend("memory:");
 * await backend.cache("sessions").set("k", 1);
 * ```
 *
 * @packageDocumentation
 */
export type { Backend, RecordStoreOptions } from "./backend.js";
export type { Cache, CacheEntry, CacheOptions, CacheStats, FailOpenOperation, SetOptions } from "./cache.js";
export type { Capabilities } from "./capabilities.js";
export { type Codec, defaultCodec } from "./codec.js";
export { BackendError, type BackendErrorOptions, type ErrorCode } from "./errors.js";
export type { Condition, FieldOperators, Filter, FilterValue } from "./filter.js";
export { getOrSet } from "./get-or-set.js";
export type { BackoffOptions } from "./publisher/backoff.js";
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
export {
  type BackendProvider,
  BUILTIN_SCHEMES,
  loadProvider,
  type OpenOptions,
  openBackend,
  registerBackend,
  unregisterBackend,
} from "./registry.js";
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
export { SqlFragment, sql } from "./sql-tag.js";
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
