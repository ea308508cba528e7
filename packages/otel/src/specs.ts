import type { Attributes, Link } from "@opentelemetry/api";
import { SpanKind } from "@opentelemetry/api";
import { ATTR } from "./semconv.js";
import type { OperationSpec } from "./telemetry.js";

/**
 * Operation specs of one database store (a cache, a record collection, the SQL database):
 * `"{operation} {collection}"` CLIENT spans with `db.system.name`, `db.operation.name`,
 * `db.collection.name` and, for batches of two or more, `db.operation.batch.size`. Specs
 * without a batch size are built once and reused.
 *
 * @example
 * ```ts
 * const specs = new DbSpecs("postgresql", "sessions");
 * specs.of("getMany", 3).attributes["db.operation.batch.size"]; // 3
 * ```
 */
export class DbSpecs {
  readonly #base: Attributes;
  readonly #target: string | undefined;
  readonly #cached = new Map<string, OperationSpec>();

  constructor(system: string, collection: string | undefined) {
    this.#base = { [ATTR.dbSystemName]: system };
    if (collection !== undefined) this.#base[ATTR.dbCollectionName] = collection;
    this.#target = collection;
  }

  of(operation: string, batchSize?: number): OperationSpec {
    // The conventions count a batch from two operations on; a single one is no batch.
    if (batchSize !== undefined && batchSize >= 2) {
      return this.#build(operation, { [ATTR.dbOperationBatchSize]: batchSize });
    }
    let spec = this.#cached.get(operation);
    if (spec === undefined) {
      spec = this.#build(operation, {});
      this.#cached.set(operation, spec);
    }
    return spec;
  }

  #build(operation: string, extra: Attributes): OperationSpec {
    return {
      name: this.#target === undefined ? operation : `${operation} ${this.#target}`,
      kind: SpanKind.CLIENT,
      metric: "db",
      attributes: { ...this.#base, [ATTR.dbOperationName]: operation, ...extra },
    };
  }
}

/** How a messaging operation is classified by the conventions. */
export interface MessagingOperation {
  /** `messaging.operation.name`: the method (`put`, `send`, `process`, …). */
  name: string;
  /** `messaging.operation.type`: `send`, `receive`, `process`, `settle`; absent for admin calls. */
  type?: "send" | "receive" | "process" | "settle";
  kind: SpanKind;
  metric?: "messaging" | "process";
  extra?: Attributes;
  links?: Link[];
}

/**
 * Operation specs of one queue or transport channel: `"{operation} {destination}"` spans
 * with `messaging.system`, `messaging.operation.name`/`.type`, `messaging.destination.name`.
 *
 * @example
 * ```ts
 * new MessagingSpecs("redis", "events").of({ name: "put", type: "send", kind: SpanKind.PRODUCER });
 * ```
 */
export class MessagingSpecs {
  readonly #base: Attributes;
  readonly #destination: string;

  constructor(system: string, destination: string, extra: Attributes = {}) {
    this.#base = { [ATTR.messagingSystem]: system, [ATTR.messagingDestinationName]: destination, ...extra };
    this.#destination = destination;
  }

  of(operation: MessagingOperation): OperationSpec {
    const attributes: Attributes = { ...this.#base, [ATTR.messagingOperationName]: operation.name, ...operation.extra };
    if (operation.type !== undefined) attributes[ATTR.messagingOperationType] = operation.type;
    const spec: OperationSpec = {
      name: `${operation.type ?? operation.name} ${this.#destination}`,
      kind: operation.kind,
      metric: operation.metric ?? "messaging",
      attributes,
    };
    if (operation.links && operation.links.length > 0) spec.links = operation.links;
    return spec;
  }
}
