import type { BackendProvider } from "@core/protocols";
import { assertPlainObject, invalidArgument, redactUrl } from "@core/protocols/kit";
import { RedisBackend } from "./backend.js";
import type { RedisClientLike } from "./client.js";
import {
  checkClusterDb,
  checkTimeout,
  connectOwned,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from "./connect.js";
import { loadIoredis } from "./driver.js";
import { BACKEND } from "./errors.js";
import { checkPrefix } from "./keys.js";
import { BLOCK_MS } from "./shared.js";

export { RedisBackend } from "./backend.js";
export type { RedisArg, RedisClientLike, RedisPipelineLike } from "./client.js";
export type { RedisTransportOptions } from "./transport-driver.js";

/** Options of {@link openRedisBackend}. */
export interface RedisBackendOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** An ioredis `Redis` or `Cluster` you own: used as is and never closed by the backend. */
  client?: RedisClientLike;
  /** Prefix of every key (1–64 characters, no `{`/`}`). Default `"core"`. */
  prefix?: string;
  /**
   * Milliseconds the whole open may take — TCP, TLS, AUTH, SELECT and the first reply —
   * (client opened from `url` only). Default 5000.
   */
  connectTimeoutMs?: number;
  /**
   * Milliseconds a command may wait for its reply before it fails with `TIMEOUT`
   * (retryable); blocking reads get their block time on top. 0 waits forever. Client
   * opened from `url` only. Default 10 000.
   */
  commandTimeoutMs?: number;
  /**
   * ioredis `enableAutoPipelining` on the client opened from `url`: commands issued in the
   * same event-loop tick go out in one write. Raises throughput when many calls are in
   * flight; adds a tick of latency to a lone call. Default false. With your own `client`,
   * set it on that client instead (passing it here is `INVALID_ARGUMENT`).
   */
  autoPipelining?: boolean;
}

/**
 * Opens a Redis backend, from a URL (the backend owns and closes the client) or from an
 * ioredis `Redis`/`Cluster` you own. Fails with `CONNECTION` if the server is unreachable
 * or does not answer within `connectTimeoutMs` (retryable), or refuses the credentials or
 * the database index of the URL (not retryable).
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
    if (options.autoPipelining !== undefined) {
      throw invalidArgument(
        BACKEND,
        "autoPipelining applies to a client opened from url; set enableAutoPipelining on your own client",
      );
    }
    checkClusterDb(options.client);
    return new RedisBackend(options.client, { prefix, owned: false });
  }
  const url: string = options.url ?? "redis://127.0.0.1:6379";
  if (typeof url !== "string" || !/^rediss?:\/\//i.test(url)) {
    throw invalidArgument(
      BACKEND,
      `url must start with redis:// or rediss://, got ${JSON.stringify(redactUrl(String(url)))}`,
    );
  }
  const connectTimeoutMs = checkTimeout(options.connectTimeoutMs, "connectTimeoutMs") ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const commandTimeoutMs =
    checkTimeout(options.commandTimeoutMs, "commandTimeoutMs", true) ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const autoPipelining = options.autoPipelining ?? false;
  if (typeof autoPipelining !== "boolean") {
    throw invalidArgument(BACKEND, `autoPipelining must be a boolean, got ${String(autoPipelining)}`);
  }
  const { Redis } = await loadIoredis();
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    ...(commandTimeoutMs > 0 ? { commandTimeout: commandTimeoutMs } : {}),
    // Fail fast instead of queueing while disconnected: callers get CONNECTION (retryable)
    // within a bounded time, and commands in flight when a connection drops are rejected.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    enableAutoPipelining: autoPipelining,
  });
  // Errors reach callers through their commands; the event must not crash the process.
  client.on("error", () => {});
  const owned = client as unknown as RedisClientLike;
  await connectOwned(owned, url, connectTimeoutMs);
  return new RedisBackend(owned, {
    prefix,
    owned: true,
    connectTimeoutMs,
    // Dedicated connections run XREAD BLOCK: their command timeout covers the block time,
    // and with one blocking command at a time there is nothing to pipeline.
    duplicate: () =>
      client.duplicate({
        enableAutoPipelining: false,
        ...(commandTimeoutMs > 0 ? { commandTimeout: commandTimeoutMs + BLOCK_MS } : {}),
      }) as unknown as RedisClientLike,
  });
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
