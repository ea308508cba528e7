import type {
  Backend,
  Cache,
  CacheOptions,
  Capabilities,
  Queue,
  QueueOptions,
  RecordStore,
  RecordStoreOptions,
  SqlDatabase,
  Transport,
  TransportOptions,
} from "@core/protocols";
import { InstrumentedCache } from "./cache.js";
import { InstrumentedQueue } from "./queue.js";
import { InstrumentedRecordStore } from "./records.js";
import { systemName } from "./semconv.js";
import { InstrumentedSql } from "./sql.js";
import { Telemetry, type TelemetryOptions } from "./telemetry.js";
import { InstrumentedTransport } from "./transport.js";

/** Options of {@link instrument}. */
export type InstrumentOptions = TelemetryOptions;

class InstrumentedBackend implements Backend {
  readonly #inner: Backend;
  readonly #telemetry: Telemetry;
  readonly #system: string;

  constructor(inner: Backend, options: InstrumentOptions) {
    this.#inner = inner;
    this.#telemetry = new Telemetry(options);
    this.#system = systemName(inner.name);
  }

  get name(): string {
    return this.#inner.name;
  }
  get capabilities(): Capabilities {
    return this.#inner.capabilities;
  }
  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    return new InstrumentedCache(this.#inner.cache<V>(name, options), this.#telemetry, this.#system);
  }
  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V> {
    return new InstrumentedQueue(this.#inner.queue<V>(name, options), this.#telemetry, this.#system);
  }
  records(name: string, options?: RecordStoreOptions): RecordStore {
    return new InstrumentedRecordStore(this.#inner.records(name, options), this.#telemetry, this.#system);
  }
  transport(options?: TransportOptions): Transport {
    return new InstrumentedTransport(this.#inner.transport(options), this.#telemetry, this.#system);
  }
  sql(): SqlDatabase {
    return new InstrumentedSql(this.#inner.sql(), this.#telemetry, this.#system);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Wraps a backend so every operation of its caches, queues, record stores, transports and
 * SQL database is an OpenTelemetry span and a duration histogram sample, named by the
 * database and messaging semantic conventions; queue entries and transport messages carry
 * W3C trace context from producer to consumer. The backend is shared, not copied: closing
 * either closes both. With no provider given or registered, operations run bare.
 *
 * @example
 * ```ts
 * import { openBackend } from "@core/protocols";
 * import { instrument } from "@core/otel";
 *
 * const backend = instrument(await openBackend("redis://127.0.0.1:6379"));
 * await backend.cache("sessions").get("s1"); // span "get sessions", db.system.name = redis
 * ```
 */
export function instrument(backend: Backend, options: InstrumentOptions = {}): Backend {
  return new InstrumentedBackend(backend, options);
}
