import type { IsolationLevel } from "./sql.js";

/**
 * What a backend instance can do. Frozen; read it from the instance
 * (`backend.capabilities`), never from the package. A method whose capability is `false`
 * throws `NOT_SUPPORTED`.
 *
 * @example
 * ```ts
 * if (backend.capabilities.sql) await backend.sql().query(sql`select 1`);
 * ```
 */
export interface Capabilities {
  /** `backend.cache()` works. */
  readonly cache: boolean;
  /** `backend.queue()` works. */
  readonly queue: boolean;
  /** `backend.records()` works. */
  readonly records: boolean;
  /** `backend.transport()` works. */
  readonly transport: boolean;
  /** `backend.sql()` works. */
  readonly sql: boolean;
  /** Data outlives the process (file, sqlite file, postgres, redis). */
  readonly persistent: boolean;
  /** Several processes/clients may share the same data (a second `open()` sees it). */
  readonly crossProcess: boolean;
  /** Cache `maxEntries` with LRU eviction. */
  readonly maxEntries: boolean;
  /** Queue `stream({ block: true })`. */
  readonly blockingStream: boolean;
  /** Queue buckets (`{ buckets: n }`). */
  readonly buckets: boolean;
  /** Delivery of the transport: durable at-least-once, or ephemeral at-most-once. */
  readonly delivery: "at-least-once" | "at-most-once" | "none";
  /** Isolation levels `sql().transaction()` honours (empty without SQL). */
  readonly isolationLevels: readonly IsolationLevel[];
}

/**
 * Builds a frozen manifest from a partial one; unspecified capabilities are absent.
 *
 * @example
 * ```ts
 * const caps = defineCapabilities({ cache: true, queue: true, maxEntries: true });
 * ```
 */
export function defineCapabilities(partial: Partial<Capabilities>): Capabilities {
  return Object.freeze({
    cache: false,
    queue: false,
    records: false,
    transport: false,
    sql: false,
    persistent: false,
    crossProcess: false,
    maxEntries: false,
    blockingStream: false,
    buckets: false,
    delivery: "none",
    ...partial,
    isolationLevels: Object.freeze([...(partial.isolationLevels ?? [])]),
  });
}

/**
 * The features of a store that several processes share durably and that implements every
 * optional store feature (file, PostgreSQL, Redis): spread it into a backend's
 * capabilities beside the protocols it has, so those backends declare it once.
 *
 * @example
 * ```ts
 * const caps = defineCapabilities({ cache: true, queue: true, ...SHARED_STORE_FEATURES });
 * ```
 */
export const SHARED_STORE_FEATURES = Object.freeze({
  persistent: true,
  crossProcess: true,
  maxEntries: true,
  blockingStream: true,
  buckets: true,
  delivery: "at-least-once",
} as const satisfies Partial<Capabilities>);
