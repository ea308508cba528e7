import { BackendError, openBackend, registerBackend } from "@core/protocols";
import { closeServers, settle, silentServer } from "@core/test-net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRedisBackend, provider } from "./index.js";
import { freePort, REDIS_URL, requireRedis, type SpawnedServer, spawnRedis, uniquePrefix } from "./redis.fixture.js";

const servers: SpawnedServer[] = [];

beforeAll(() => requireRedis());
afterAll(async () => {
  for (const s of servers) s.process.kill("SIGCONT");
  await Promise.all(servers.map((s) => s.kill()));
  closeServers();
});

function expectPermanent(err: unknown, text: RegExp): void {
  expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
  expect((err as BackendError).retryable).toBe(false);
  expect((err as BackendError).message).toMatch(text);
  expect((err as BackendError).message).not.toMatch(/tooling\/|start-services/);
}

describe("redis open", () => {
  it("fails with a permanent CONNECTION error for a database index the server refuses, writing nothing", async () => {
    const server = await spawnRedis(undefined, ["--databases", "16"]);
    servers.push(server);
    const url = `redis://127.0.0.1:${server.port}`;
    const { err } = await settle(openRedisBackend({ url: `${url}/99`, prefix: uniquePrefix("db") }));
    expectPermanent(err, /DB index is out of range/);
    registerBackend(provider);
    const viaUrl = await settle(openBackend(`${url}/16`));
    expectPermanent(viaUrl.err, /DB index is out of range/);
    const admin = new Redis(url);
    try {
      expect(await admin.dbsize()).toBe(0);
      // A valid index still works and lands where it says.
      const backend = await openRedisBackend({ url: `${url}/5`, prefix: "db" });
      await backend.cache("c").set("k", 1);
      await backend.close();
      expect(await admin.dbsize()).toBe(0);
      await admin.select(5);
      expect(await admin.dbsize()).toBe(1);
    } finally {
      admin.disconnect();
    }
  });

  it("fails at open with a permanent CONNECTION error for a wrong password or ACL user, without the password", async () => {
    const server = await spawnRedis();
    servers.push(server);
    const admin = new Redis(server.port, "127.0.0.1");
    await admin.call("ACL", "SETUSER", "app", "on", ">app-pass", "~*", "+@all");
    await admin.config("SET", "requirepass", "s3cret-pass");
    admin.disconnect();
    for (const url of [
      `redis://:wrong-pass@127.0.0.1:${server.port}`,
      `redis://nobody:wrong-pass@127.0.0.1:${server.port}`,
      `redis://app:wrong-pass@127.0.0.1:${server.port}`,
      `redis://127.0.0.1:${server.port}/3`, // no password at all: NOAUTH on the ready check
    ]) {
      const { err } = await settle(openRedisBackend({ url }));
      expectPermanent(err, /WRONGPASS|NOAUTH/);
      expect((err as Error).message).not.toContain("wrong-pass");
    }
    for (const url of [
      `redis://:s3cret-pass@127.0.0.1:${server.port}`,
      `redis://app:app-pass@127.0.0.1:${server.port}`,
    ]) {
      const backend = await openRedisBackend({ url });
      await backend.cache("c").set("k", 1);
      await backend.close();
    }
  });

  it("a refused port says ECONNREFUSED in the message and the cause, and is retryable", async () => {
    const port = await freePort();
    const { err } = await settle(openRedisBackend({ url: `redis://127.0.0.1:${port}` }));
    expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
    expect((err as BackendError).retryable).toBe(true);
    expect((err as BackendError).message).toContain("ECONNREFUSED");
    expect(((err as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    expect((err as BackendError).message).not.toMatch(/tooling\/|start-services/);
    expect((err as BackendError).message).toContain("reachable");
  });

  it("fails within connectTimeoutMs when the server accepts the connection but never answers", async () => {
    const port = await silentServer();
    const { err, ms } = await settle(openRedisBackend({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1000 }));
    expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
    expect((err as BackendError).retryable).toBe(true);
    expect((err as BackendError).message).toMatch(/ETIMEDOUT.*1000 ms/);
    expect(ms).toBeLessThan(5000);
  });

  it("rejects bad timeout options with INVALID_ARGUMENT", async () => {
    for (const options of [{ connectTimeoutMs: 0 }, { connectTimeoutMs: -1 }, { commandTimeoutMs: 1.5 }]) {
      const { err } = await settle(openRedisBackend({ url: REDIS_URL, ...options }));
      expect(BackendError.is(err, "INVALID_ARGUMENT"), String(err)).toBe(true);
    }
  });
});

describe("redis command timeout", () => {
  it("a command to a server that stopped answering fails with a retryable TIMEOUT, and works once it answers", async () => {
    const server = await spawnRedis();
    servers.push(server);
    const backend = await openRedisBackend({ url: `redis://127.0.0.1:${server.port}`, commandTimeoutMs: 500 });
    try {
      const cache = backend.cache<number>("c");
      await cache.set("k", 1);
      server.process.kill("SIGSTOP");
      const { err, ms } = await settle(cache.get("k"));
      server.process.kill("SIGCONT");
      expect(BackendError.is(err, "TIMEOUT"), String(err)).toBe(true);
      expect((err as BackendError).retryable).toBe(true);
      expect(ms).toBeLessThan(5000);
      expect(await cache.get("k")).toBe(1);
    } finally {
      server.process.kill("SIGCONT");
      await backend.close();
    }
  });

  it("a blocked stream is not cut by a command timeout shorter than its block time", async () => {
    const server = await spawnRedis();
    servers.push(server);
    const url = `redis://127.0.0.1:${server.port}`;
    const backend = await openRedisBackend({ url, commandTimeoutMs: 200 });
    const admin = new Redis(url);
    const connections = async () => Number(/total_connections_received:(\d+)/.exec(await admin.info("stats"))?.[1]);
    const abort = new AbortController();
    try {
      const queue = backend.queue<number>("q");
      const got: number[] = [];
      const reader = (async () => {
        for await (const entry of queue.stream({ block: true, signal: abort.signal })) {
          got.push(entry.value);
          return;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = await connections();
      // Several BLOCK rounds (1 s each) pass with nothing to read, on the same connection.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await connections()).toBe(before);
      await queue.put(7);
      expect((await settle(reader)).err).toBeUndefined();
      expect(got).toEqual([7]);
    } finally {
      abort.abort();
      admin.disconnect();
      await backend.close();
    }
  });
});
