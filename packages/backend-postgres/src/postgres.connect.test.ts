import { connect } from "node:net";
import { BackendError } from "@core/protocols";
import { closeServers, listen, settle, silentServer } from "@core/test-net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { toBackendError } from "./errors.js";
import { openPostgresBackend } from "./index.js";
import { dropSchema, POSTGRES_URL, requireServer, testSchema } from "./postgres.fixture.js";

const schema = testSchema();
const target = new URL(POSTGRES_URL);

beforeAll(() => requireServer());
afterAll(async () => {
  closeServers();
  await dropSchema(schema);
});

/** A proxy to the test server that can stop forwarding (both ways) while connections stay open. */
async function pausableProxy(): Promise<{ url: string; pause(): void; resume(): void }> {
  let paused = false;
  const port = await listen((socket, sockets) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(upstream);
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
    socket.on("data", (data) => paused || upstream.write(data));
    upstream.on("data", (data) => paused || socket.write(data));
  });
  const url = new URL(POSTGRES_URL);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return { url: url.toString(), pause: () => void (paused = true), resume: () => void (paused = false) };
}

/**
 * A proxy whose paused state also swallows the client's end: the client's socket stays open
 * until the proxy lets go, as with a server (or a middlebox) that never acknowledges a close.
 */
async function stickyProxy(): Promise<{ url: string; pause(): void; resume(): void }> {
  let paused = false;
  const port = await listen(
    (socket, sockets) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      sockets.add(upstream);
      upstream.on("error", () => socket.destroy());
      socket.on("end", () => paused || upstream.end());
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
      socket.on("data", (data) => paused || upstream.write(data));
      upstream.on("data", (data) => paused || socket.write(data));
    },
    { allowHalfOpen: true },
  );
  const url = new URL(POSTGRES_URL);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return { url: url.toString(), pause: () => void (paused = true), resume: () => void (paused = false) };
}

function withPath(path: string, user?: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = path;
  if (user !== undefined) {
    url.username = user;
    url.password = "s3cret-pw";
  }
  return url.toString();
}

describe("postgres open", () => {
  test("a database or role that does not exist is a CONNECTION error that is not retryable", async () => {
    for (const connectionString of [withPath("/no_such_db_core"), withPath(target.pathname, "no_such_role_core")]) {
      const { err } = await settle(openPostgresBackend({ connectionString, schema }));
      expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
      expect((err as BackendError).retryable).toBe(false);
      expect((err as Error).message).toMatch(/does not exist.*check the user, password and database name/);
      expect((err as Error).message).not.toContain("s3cret-pw");
      expect((err as Error).message).not.toMatch(/tooling\/|start-services/);
    }
  });

  test("authentication failures (28P01) are not retryable; refused and reset connections are", () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(toBackendError(pgError("28P01", "password authentication failed"), "open").retryable).toBe(false);
    expect(toBackendError(pgError("3D000", 'database "x" does not exist'), "open").retryable).toBe(false);
    expect(toBackendError(pgError("ECONNRESET", "read ECONNRESET"), "open").retryable).toBe(true);
    expect(toBackendError(pgError("ECONNREFUSED", "connect ECONNREFUSED"), "open").retryable).toBe(true);
    const timedOut = toBackendError(new Error("Query read timeout"), "cache.get");
    expect([timedOut.code, timedOut.retryable]).toEqual(["TIMEOUT", true]);
  });

  test("fails within connectTimeoutMs when the server accepts the connection but never answers", async () => {
    const port = await silentServer();
    const connectionString = `postgres://root@127.0.0.1:${port}/test`;
    const { err, ms } = await settle(openPostgresBackend({ connectionString, schema, connectTimeoutMs: 1000 }));
    expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
    expect((err as BackendError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/timeout/i);
    expect(ms).toBeLessThan(5000);
  });

  test("commandTimeoutMs must be a non-negative integer", async () => {
    const { err } = await settle(openPostgresBackend({ connectionString: POSTGRES_URL, schema, commandTimeoutMs: -1 }));
    expect(BackendError.is(err, "INVALID_ARGUMENT"), String(err)).toBe(true);
  });
});

describe("postgres command timeout", () => {
  test("a statement to a server that stopped answering fails with a retryable TIMEOUT, and works once it answers", async () => {
    const proxy = await pausableProxy();
    const backend = await openPostgresBackend({ connectionString: proxy.url, schema, commandTimeoutMs: 1000 });
    try {
      const cache = backend.cache<number>("c");
      await cache.set("k", 1);
      proxy.pause();
      const { err, ms } = await settle(cache.get("k"));
      proxy.resume();
      expect(BackendError.is(err, "TIMEOUT"), String(err)).toBe(true);
      expect((err as BackendError).retryable).toBe(true);
      expect(ms).toBeLessThan(10_000);
      expect(await cache.get("k")).toBe(1);
    } finally {
      proxy.resume();
      await backend.close();
    }
  });

  test("close() ends even when the server stops answering the LISTEN connection", async () => {
    const proxy = await stickyProxy();
    const backend = await openPostgresBackend({ connectionString: proxy.url, schema, commandTimeoutMs: 1000 });
    try {
      const queue = backend.queue<number>("listen-close");
      const abort = new AbortController();
      const got: number[] = [];
      const reader = (async () => {
        for await (const entry of queue.stream({ block: true, signal: abort.signal })) got.push(entry.value);
      })();
      // The stream's blocking wait opened the LISTEN connection; a put wakes it through LISTEN.
      await queue.put(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      abort.abort();
      await settle(reader);
      expect(got).toEqual([1]);
      proxy.pause();
      // The LISTEN client's end waited for a reply that never came: close() hung for ever.
      const { err, ms } = await settle(backend.close());
      expect(err).toBeUndefined();
      expect(ms).toBeLessThan(10_000);
    } finally {
      proxy.resume();
      await backend.close();
    }
  });

  test("a blocked stream is not cut by a command timeout shorter than its wait", async () => {
    const backend = await openPostgresBackend({ connectionString: POSTGRES_URL, schema, commandTimeoutMs: 200 });
    const abort = new AbortController();
    try {
      const queue = backend.queue<number>("blocked");
      const got: number[] = [];
      const reader = (async () => {
        for await (const entry of queue.stream({ block: true, signal: abort.signal })) {
          got.push(entry.value);
          return;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await queue.put(7);
      expect((await settle(reader)).err).toBeUndefined();
      expect(got).toEqual([7]);
    } finally {
      abort.abort();
      await backend.close();
    }
  });
});
