import { defineBackend, type Lifecycle, SHARED_STORE_FEATURES } from "@core/protocols/kit";
import { redisCacheDriver } from "./cache-driver.js";
import type { RedisClientLike } from "./client.js";
import { BACKEND } from "./errors.js";
import { redisQueueDriver } from "./queue-driver.js";
import { redisRecordDriver } from "./records-driver.js";
import type { RedisShared } from "./shared.js";
import { redisTransportDriver } from "./transport-driver.js";

interface RedisState extends RedisShared {
  /** The backend opened the client, so `close()` quits it. */
  readonly owned: boolean;
}

/** How {@link openRedisBackend} hands the backend its client. */
type SetupOptions = Pick<RedisState, "prefix" | "owned"> & Partial<Pick<RedisState, "connectTimeoutMs" | "duplicate">>;

function setup(lifecycle: Lifecycle, client: RedisClientLike, options: SetupOptions): RedisState {
  const { prefix, owned, connectTimeoutMs = 5000, duplicate = () => client.duplicate() } = options;
  return { client, prefix, lifecycle, cacheCounters: new Map(), duplicate, connectTimeoutMs, owned };
}

async function release(state: RedisState): Promise<void> {
  if (state.owned) await state.client.quit().catch(() => state.client.disconnect());
}

/**
 * A Redis (or Redis Cluster) server seen through one ioredis client. Stores share the
 * client; blocking readers and subscribers get duplicated connections of their own.
 * A client the user passed in is never closed; one the backend opened is closed by
 * `close()`. `transport()` is durable (streams, at-least-once) by default;
 * `{ mode: "ephemeral" }` is pub/sub (at-most-once).
 *
 * @example
 * ```ts
 * const backend = new RedisBackend(client, { prefix: "myapp", owned: false });
 * await backend.cache("s").set("k", 1);
 * ```
 */
export class RedisBackend extends defineBackend({
  name: BACKEND,
  capabilities: SHARED_STORE_FEATURES,
  setup,
  cache: redisCacheDriver,
  queue: redisQueueDriver,
  records: redisRecordDriver,
  transport: redisTransportDriver,
  close: release,
  unsupportedHints: { sql: "use @core/backend-postgres or @core/backend-sqlite" },
}) {
  /** The key prefix of this backend's namespaces. */
  get prefix(): string {
    return this.state.prefix;
  }
}
