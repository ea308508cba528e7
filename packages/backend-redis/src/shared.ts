import type { CacheCounters, Lifecycle } from "@core/protocols/kit";
import type { RedisArg, RedisClientLike } from "./client.js";
import { within } from "./connect.js";
import { guard } from "./errors.js";

/** `BLOCK` of every `XREAD`/`XREADGROUP` on a dedicated connection, in ms. */
export const BLOCK_MS = 1000;

/** One entry as XRANGE / XREAD return it: `[id, [field, value, …]]`. */
export type RawEntry = [string, string[]];

/**
 * The entries of a one-stream blocking read (`XREAD` or `XREADGROUP GROUP g c`, given as
 * `command`) on a dedicated connection: at most `count` after `id`, waiting up to {@link BLOCK_MS}.
 */
export async function readBlocking(
  client: RedisClientLike,
  command: readonly RedisArg[],
  count: number,
  key: string,
  id: string,
): Promise<RawEntry[]> {
  const [name, ...head] = command as [string, ...RedisArg[]];
  const reply = (await client.call(name, ...head, "COUNT", count, "BLOCK", BLOCK_MS, "STREAMS", key, id)) as
    | [string, RawEntry[]][]
    | null;
  return reply?.[0]?.[1] ?? [];
}

/** A connection of its own for blocking reads or pub/sub; `release()` ends it. */
export interface DedicatedConnection {
  readonly client: RedisClientLike;
  release(): void;
}

/** What one {@link RedisBackend} shares with its stores. */
export interface RedisShared {
  readonly client: RedisClientLike;
  readonly prefix: string;
  readonly lifecycle: Lifecycle;
  /** Client-side hit/miss counters per cache namespace (this backend object only). */
  readonly cacheCounters: Map<string, CacheCounters>;
  /** Makes a dedicated connection (a `duplicate()`, with room for the block time). */
  readonly duplicate: () => RedisClientLike;
  /** How long opening a dedicated connection may take. */
  readonly connectTimeoutMs: number;
}

/**
 * Runs a command sequence as in-flight work of the backend (so `close()` waits for it),
 * mapping failures to `BackendError`.
 */
export function run<T>(shared: RedisShared, what: string, fn: () => Promise<T>): Promise<T> {
  return shared.lifecycle.run(() => guard(what, fn));
}

/** One command on the shared client, through {@link run}. */
export function call(shared: RedisShared, what: string, command: string, ...args: RedisArg[]): Promise<unknown> {
  return shared.lifecycle.run(() => guard(what, () => shared.client.call(command, ...args)));
}

/** The replies of a transaction (`multi().exec()`), rethrowing the first failed one. */
export function throwFirst(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new Error("Connection is closed.: the transaction was aborted");
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

function waitReady(client: RedisClientLike): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: unknown) => {
      client.off("ready", onReady);
      client.off("error", onError);
      client.off("end", onEnd);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onReady = () => done();
    const onError = (err: unknown) => done(err);
    const onEnd = () => done(new Error("Connection is closed."));
    client.on("ready", onReady);
    client.on("error", onError);
    client.on("end", onEnd);
  });
}

/**
 * Opens a dedicated connection (a `duplicate()` of the backend's client) for a blocking
 * reader or a subscriber; it is ended by `release()` or by the backend's `close()`.
 * Ending it rejects a pending `XREAD BLOCK` at once, which is how readers stop.
 */
export async function openDedicated(shared: RedisShared, what: string): Promise<DedicatedConnection> {
  shared.lifecycle.assertOpen();
  const client = shared.duplicate();
  // A connection that errors while nobody waits on it must not crash the process.
  client.on("error", () => {});
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    unregister();
    client.disconnect();
  };
  const unregister = shared.lifecycle.onClose(release);
  try {
    const ms = shared.connectTimeoutMs;
    await within(
      (async () => {
        if (client.status === "wait") await (client as unknown as { connect(): Promise<void> }).connect();
        await waitReady(client);
      })(),
      ms,
      () =>
        Object.assign(new Error(`connect ETIMEDOUT: no answer within ${ms} ms (connectTimeoutMs)`), {
          code: "ETIMEDOUT",
        }),
    );
  } catch (err) {
    release();
    return guard(what, () => Promise.reject(err));
  }
  return { client, release };
}
