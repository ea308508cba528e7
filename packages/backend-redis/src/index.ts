import { assertPlainObject, type BackendProvider, invalidArgument, redactUrl } from "@core/protocols";
import { RedisBackend } from "./backend.js";
import type { RedisClientLike } from "./client.js";
import { loadIoredis } from "./driver.js";
import { BACKEND, toBackendError } from "./errors.js";
import { checkPrefix } from "./keys.js";

export { RedisBackend } from "./backend.js";
export type { RedisArg, RedisClientLike, RedisPipelineLike } from "./client.js";
export type { RedisTransportOptions } from "./transport-input.js";

/** Options of {@link openRedisBackend}. */
export interface RedisBackendOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** An ioredis `Redis` or `Cluster` you own: used as is and never closed by the backend. */
  client?: RedisClientLike;
  /** Prefix of every key (1–64 characters, no `{`/`}`). Default `"core"`. */
  prefix?: string;
  /** Milliseconds to wait for the first connection (own client only). Default 5000. */
  connectTimeoutMs?: number;
}

/**
 * Opens a Redis backend, from a URL (the backend owns and closes the client) or from an
 * ioredis `Redis`/`Cluster` you own. Fails with `CONNECTION` if the server is unreachable.
 *
 * @example
 * ```ts
 * import { openRedisBackend } from "@core/backend-redis";
 * await using backend = await openRedisBackend({ url: "redis://127.0.0.1:6379", prefix: "myapp" });
 * await backend.cache("sessions").set("s1", { user: 1 }, { ttlMs: 60_000 });
 * ```
 */
export async function openRedisBackend(input: RedisBackendOptions = {}): Promise<RedisBackend> {
  assertPlainObject(BACKEND, input, "options");
  const options = input as RedisBackendOptions;
  const prefix = checkPrefix(options.prefix ?? "core");
  if (options.client !== undefined) {
    if (options.url !== undefined) throw invalidArgument(BACKEND, "pass either url or client, not both");
    const c = options.client as Partial<RedisClientLike> | null;
    if (typeof c !== "object" || c === null || typeof c.call !== "function" || typeof c.duplicate !== "function") {
      throw invalidArgument(BACKEND, "client must be an ioredis Redis or Cluster instance");
    }
    return new RedisBackend(options.client, { prefix, owned: false });
  }
  const url: string = options.url ?? "redis://127.0.0.1:6379";
  if (typeof url !== "string" || !/^rediss?:\/\//i.test(url)) {
    throw invalidArgument(
      BACKEND,
      `url must start with redis:// or rediss://, got ${JSON.stringify(redactUrl(String(url)))}`,
    );
  }
  const { Redis } = await loadIoredis();
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // Fail fast instead of queueing while disconnected: callers get CONNECTION (retryable)
    // within a bounded time, and commands in flight when a connection drops are rejected.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(50 * times, 1000),
  });
  // Errors reach callers through their commands; the event must not crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    const e = toBackendError(err, `cannot connect to ${redactUrl(url)}`);
    throw e;
  }
  return new RedisBackend(client as unknown as RedisClientLike, { prefix, owned: true });
}

/**
 * Provider for `openBackend("redis://…")` and `openBackend("rediss://…")`; the options
 * are those of {@link openRedisBackend} (without `url`/`client`).
 *
 * @example
 * ```ts
 * const backend = await openBackend("redis://127.0.0.1:6379", { prefix: "myapp" });
 * ```
 */
export const provider: BackendProvider = {
  name: BACKEND,
  schemes: ["redis", "rediss"],
  open: (url, options) => openRedisBackend({ ...(options as RedisBackendOptions), url }),
};
