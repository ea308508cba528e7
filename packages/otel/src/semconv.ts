/**
 * Attribute and metric names of OpenTelemetry's database and messaging semantic
 * conventions (the stable database conventions, v1.26+, and the messaging conventions),
 * in one place so every instrumented protocol names things alike.
 *
 * @example
 * ```ts
 * span.setAttribute(ATTR.dbOperationName, "get");
 * ```
 */
export const ATTR = {
  dbSystemName: "db.system.name",
  dbOperationName: "db.operation.name",
  dbCollectionName: "db.collection.name",
  dbOperationBatchSize: "db.operation.batch.size",
  messagingSystem: "messaging.system",
  messagingOperationName: "messaging.operation.name",
  messagingOperationType: "messaging.operation.type",
  messagingDestinationName: "messaging.destination.name",
  messagingDestinationPartitionId: "messaging.destination.partition.id",
  messagingBatchMessageCount: "messaging.batch.message_count",
  messagingMessageId: "messaging.message.id",
  messagingConsumerGroupName: "messaging.consumer.group.name",
  errorType: "error.type",
} as const;

/**
 * Histograms (seconds) of the conventions: database calls, messaging client calls (send,
 * receive, settle) and the processing of a delivered message.
 *
 * @example
 * ```ts
 * meter.createHistogram(METRIC.dbDuration, { unit: "s" });
 * ```
 */
export const METRIC = {
  dbDuration: "db.client.operation.duration",
  messagingDuration: "messaging.client.operation.duration",
  processDuration: "messaging.process.duration",
} as const;

const WELL_KNOWN_SYSTEMS: Record<string, string> = { postgres: "postgresql", sqlite: "sqlite", redis: "redis" };

/**
 * The `db.system.name` / `messaging.system` value of a backend: the convention's
 * well-known name where there is one (`postgresql`, `sqlite`, `redis`), else the backend's
 * own name (`memory`, `file`, a third party's).
 *
 * @example
 * ```ts
 * systemName("postgres"); // "postgresql"
 * ```
 */
export function systemName(backendName: string): string {
  return WELL_KNOWN_SYSTEMS[backendName] ?? backendName;
}
