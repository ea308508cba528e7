import { waitFor } from "@core/conformance";
import { BackendError, type QueueEntry } from "@core/protocols";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { openRedisBackend } from "./index.js";
import { type SpawnedServer, spawnRedis } from "./redis.fixture.js";

const servers: SpawnedServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill()));
});

async function spawn(port?: number): Promise<SpawnedServer> {
  const server = await spawnRedis(port);
  servers.push(server);
  return server;
}

/** Rejects if `promise` has not settled within `ms`: a call must never hang. */
function bounded<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the call did not settle within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

async function settle(promise: Promise<unknown>): Promise<unknown> {
  try {
    await bounded(promise);
    return undefined;
  } catch (err) {
    return err;
  }
}

describe("redis faults", () => {
  it("rejects with a retryable CONNECTION error when the server dies, and works again after a restart", async () => {
    const server = await spawn();
    const backend = await openRedisBackend({ url: `redis://127.0.0.1:${server.port}`, prefix: "fault" });
    try {
      const cache = backend.cache<number>("c");
      const queue = backend.queue<number>("q");
      await cache.set("k", 1);
      await queue.put(1);
      await server.kill();

      for (const call of [cache.get("k"), cache.set("k", 2), queue.put(2), queue.get(), cache.getMany(["k"])]) {
        const err = await settle(call);
        expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
        expect((err as BackendError).retryable).toBe(true);
        expect((err as BackendError).message).toMatch(/^\[redis\]/);
      }

      await spawn(server.port);
      await waitFor(
        async () => {
          try {
            await cache.set("k", 3);
            return true;
          } catch (err) {
            if (!BackendError.is(err, "CONNECTION")) throw err;
            return false;
          }
        },
        10_000,
        "the backend to reconnect",
      );
      expect(await cache.get("k")).toBe(3);
      expect(await queue.put(7)).toBe(0); // the restarted server kept nothing (no persistence)
    } finally {
      await backend.close();
    }
  });

  it("fails to open with CONNECTION when nothing listens", async () => {
    const server = await spawn();
    await server.kill();
    const err = await settle(openRedisBackend({ url: `redis://127.0.0.1:${server.port}` }));
    expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
  });

  it("a blocked stream survives CLIENT KILL of every connection with no lost or repeated entry", async () => {
    const server = await spawn();
    const url = `redis://127.0.0.1:${server.port}`;
    const backend = await openRedisBackend({ url, prefix: "fault" });
    const writer = await openRedisBackend({ url, prefix: "fault" });
    const admin = new Redis(url);
    const abort = new AbortController();
    try {
      const seen: number[] = [];
      const reader = (async () => {
        const stream = backend.queue<number>("blocked").stream({ block: true, signal: abort.signal });
        for await (const entry of stream as AsyncIterable<QueueEntry<number>>) seen.push(entry.value);
      })();
      const q = writer.queue<number>("blocked");
      await q.putBatch([0, 1, 2]);
      await waitFor(() => seen.length === 3, 5000, "the first entries");

      await admin.client("KILL", "TYPE", "normal", "SKIPME", "yes");
      const during = await settle(backend.cache("c").get("x"));
      // Either the client already reconnected, or the call reports the outage.
      if (during !== undefined) expect(BackendError.is(during, "CONNECTION"), String(during)).toBe(true);

      await waitFor(
        async () => {
          try {
            await q.putBatch([3, 4, 5]);
            return true;
          } catch (err) {
            if (!BackendError.is(err, "CONNECTION")) throw err;
            return false;
          }
        },
        5000,
        "the writer to reconnect",
      );
      await waitFor(() => seen.length >= 6, 5000, "the stream to resume");
      expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
      abort.abort();
      await bounded(reader);
    } finally {
      abort.abort();
      admin.disconnect();
      await writer.close();
      await backend.close();
    }
  });

  it("ends a blocked stream when the backend closes", async () => {
    const server = await spawn();
    const backend = await openRedisBackend({ url: `redis://127.0.0.1:${server.port}`, prefix: "fault" });
    const got: number[] = [];
    const reader = (async () => {
      for await (const entry of backend.queue<number>("idle").stream({ block: true })) got.push(entry.value);
    })();
    await backend.queue<number>("idle").put(1);
    await waitFor(() => got.length === 1, 5000, "the entry");
    await bounded(backend.close());
    await bounded(reader);
    expect(got).toEqual([1]);
  });
});
