import {
  type Backend,
  type Cache,
  type CacheOptions,
  type Capabilities,
  defineCapabilities,
  Lifecycle,
  notSupported,
  type Queue,
  type QueueOptions,
  type RecordStore,
  type RecordStoreOptions,
  type SqlDatabase,
  type Transport,
} from "@core/protocols";
import { createCache, createQueue, createRecordStore, createTransport } from "@core/protocols/kit";
import { redisCacheDriver } from "./cache-driver.js";
import type { RedisClientLike } from "./client.js";
import { BACKEND } from "./errors.js";
import { redisQueueDriver } from "./queue-driver.js";
import { redisRecordDriver } from "./records-driver.js";
import type { RedisShared } from "./shared.js";
import { type RedisTransportOptions, redisTransportDriver } from "./transport-driver.js";

const CAPABILITIES: Capabilities = defineCapabilities({
  cache: true,
  queue: true,
  records: true,
  transport: true,
  sql: false,
  persistent: true,
  crossProcess: true,
  maxEntries: true,
  blockingStream: true,
  buckets: true,
  delivery: "at-least-once",
});

/**
 * A Redis (or Redis Cluster) server seen through one ioredis client. Stores share the
 * client; blocking readers and subscribers get duplicated connections of their own.
 * A client the user passed in is never closed; one the backend opened is closed by
 * `close()`.
 *
 * @example
 * ```ts
 * const backend = new RedisBackend(client, { prefix: "myapp", owned: false });
 * await backend.cache("s").set("k", 1);
 * ```
 */
export class RedisBackend implements Backend {
  readonly name = BACKEND;
  readonly capabilities = CAPABILITIES;
  readonly #shared: RedisShared;

  constructor(
    client: RedisClientLike,
    options: {
      prefix: string;
      owned: boolean;
      /** How long opening a dedicated connection may take. Default 5000. */
      connectTimeoutMs?: number;
      /** Makes a dedicated connection. Default `client.duplicate()`. */
      duplicate?: () => RedisClientLike;
    },
  ) {
    const lifecycle = new Lifecycle(BACKEND);
    this.#shared = {
      client,
      prefix: options.prefix,
      lifecycle,
      cacheCounters: new Map(),
      duplicate: options.duplicate ?? (() => client.duplicate()),
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    };
    if (options.owned) {
      // Registered first, so it runs last: after every reader and subscriber ended.
      lifecycle.onClose(async () => {
        try {
          await client.quit();
        } catch {
          client.disconnect();
        }
      });
    }
  }

  /** The key prefix of this backend's namespaces. */
  get prefix(): string {
    return this.#shared.prefix;
  }

  cache<V = unknown>(name: string, options?: CacheOptions): Cache<V> {
    this.#shared.lifecycle.assertOpen();
    return createCache<V>(redisCacheDriver(this.#shared), name, options);
  }

  queue<V = unknown>(name: string, options?: QueueOptions): Queue<V> {
    this.#shared.lifecycle.assertOpen();
    return createQueue<V>(redisQueueDriver(this.#shared), name, options);
  }

  records(name: string, options?: RecordStoreOptions): RecordStore {
    this.#shared.lifecycle.assertOpen();
    return createRecordStore(redisRecordDriver(this.#shared), name, options);
  }

  /** Durable (streams, at-least-once) by default; `{ mode: "ephemeral" }` for pub/sub (at-most-once). */
  transport(options?: RedisTransportOptions): Transport {
    this.#shared.lifecycle.assertOpen();
    return createTransport(redisTransportDriver(this.#shared, options), options);
  }

  sql(): SqlDatabase {
    throw notSupported(BACKEND, "sql (use @core/backend-postgres or @core/backend-sqlite)");
  }

  close(): Promise<void> {
    return this.#shared.lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
