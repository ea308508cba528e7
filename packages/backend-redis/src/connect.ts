import { BackendError } from "@core/protocols";
import { invalidArgument, redactUrl } from "@core/protocols/kit";
import type { RedisClientLike } from "./client.js";
import { BACKEND, REACH_HINT, toBackendError } from "./errors.js";

/** Default of `connectTimeoutMs`: the whole open (TCP, TLS, AUTH, SELECT, ready check). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Default of `commandTimeoutMs`: how long a command may wait for its reply. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** Validates a timeout option: a positive integer (or 0 where `zeroDisables`). */
export function checkTimeout(value: unknown, what: string, zeroDisables = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < (zeroDisables ? 0 : 1)) {
    const allowed = zeroDisables ? "a non-negative integer (0: no timeout)" : "a positive integer";
    throw invalidArgument(BACKEND, `${what} must be ${allowed}, got ${String(value)}`);
  }
  return value;
}

/** The part of an ioredis `Redis` the backend opens and checks. */
interface OpenableClient extends RedisClientLike {
  connect(): Promise<void>;
  readonly options: { db?: number; host?: string; port?: number };
}

/** Rejects with `onTimeout()` unless `promise` settles within `ms` (timer cleared after). */
export async function within<T>(promise: Promise<T>, ms: number, onTimeout: () => unknown): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Node-style ETIMEDOUT error naming the address that did not answer. */
function timedOut(address: string, ms: number): Error {
  return Object.assign(new Error(`connect ETIMEDOUT ${address}: no answer within ${ms} ms`), { code: "ETIMEDOUT" });
}

/**
 * Connects a client the backend created from `url` and checks that the server accepted
 * the database index (ioredis alone falls back to database 0 when `SELECT` is refused).
 * The whole exchange — TCP, AUTH, SELECT, ready check — must finish within `timeoutMs`.
 * Failures keep their real cause (ECONNREFUSED, WRONGPASS, …), not ioredis's
 * "Connection is closed."; the client is disconnected before the error is thrown.
 */
export async function connectOwned(client: RedisClientLike, url: string, timeoutMs: number): Promise<void> {
  const c = client as OpenableClient;
  const address = `${c.options.host ?? "127.0.0.1"}:${c.options.port ?? 6379}`;
  let lastError: unknown;
  const onError = (err: unknown) => {
    lastError ??= err;
  };
  c.on("error", onError);
  try {
    await within(
      (async () => {
        await c.connect();
        // SELECT again and wait for the reply: a refused index must fail the open.
        if (c.options.db) await c.call("SELECT", c.options.db);
      })(),
      timeoutMs,
      () => timedOut(address, timeoutMs),
    );
  } catch (err) {
    c.disconnect();
    const closed = err instanceof Error && /Connection is closed/i.test(err.message);
    const cause = closed && lastError !== undefined ? lastError : err;
    const what = `cannot connect to ${redactUrl(url)}`;
    if ((cause as { code?: unknown }).code === "ETIMEDOUT" && cause === err) {
      throw new BackendError(
        "CONNECTION",
        `[${BACKEND}] ${what}: ${(cause as Error).message} (connectTimeoutMs); ${REACH_HINT}`,
        { backend: BACKEND, cause },
      );
    }
    throw toBackendError(cause, what);
  } finally {
    c.off("error", onError);
  }
}

/**
 * Rejects a Cluster client configured with a database index other than 0: a cluster has
 * only database 0, and its nodes would silently stay there.
 */
export function checkClusterDb(client: RedisClientLike): void {
  if (!client.isCluster) return;
  const db = (client as { options?: { redisOptions?: { db?: unknown } } }).options?.redisOptions?.db;
  if (db !== undefined && db !== 0) {
    throw new BackendError(
      "INVALID_ARGUMENT",
      `a Redis Cluster has only database 0, but the client selects database ${String(db)}`,
      { backend: BACKEND },
    );
  }
}
