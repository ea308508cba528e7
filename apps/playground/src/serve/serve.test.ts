import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlaygroundServer, startServer } from "./server.js";
import { readSse } from "./sse-reader.fixture.js";

const POSTGRES = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";
const REDIS = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

let server: PlaygroundServer;

async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(path, server.url), {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function ok(method: "GET" | "POST", path: string, body?: unknown): Promise<any> {
  const { status, json } = await call(method, path, body);
  if (status !== 200) throw new Error(`${method} ${path} → ${status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

describe("playground serve: JSON API", () => {
  it("serves the page and lists the embedded backends", async () => {
    const page = await fetch(server.url);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const { choice, suggestions } = await ok("GET", "/api/backends");
    expect(Object.keys(choice)).toEqual(["cache", "queue", "records", "transport", "sql"]);
    expect(choice.sql).toMatch(/^sqlite:/);
    expect(suggestions).toContain("memory:");
  });

  it("cache: set, get, ttl, keys, delete", async () => {
    await ok("POST", "/api/cache/set", { key: "k1", value: { n: 1 }, ttlMs: 60_000 });
    await ok("POST", "/api/cache/set", { key: "k2", value: "plain" });
    expect(await ok("GET", "/api/cache/get?key=k1")).toEqual({ key: "k1", found: true, value: { n: 1 } });
    const ttl = await ok("GET", "/api/cache/ttl?key=k1");
    expect(ttl.ttlMs).toBeGreaterThan(0);
    expect(ttl.ttlMs).toBeLessThanOrEqual(60_000);
    expect((await ok("GET", "/api/cache/ttl?key=k2")).ttlMs).toBeNull();
    expect((await ok("GET", "/api/cache/keys?match=k*")).keys).toEqual(["k1", "k2"]);
    expect((await ok("POST", "/api/cache/delete", { key: "k1" })).deleted).toBe(true);
    expect((await ok("GET", "/api/cache/get?key=k1")).found).toBe(false);
  });

  it("cache on redis after switching the backend, and back", async () => {
    const switched = await ok("POST", "/api/backends", { protocol: "cache", url: REDIS });
    expect(switched).toMatchObject({ backend: "redis", supported: true });
    const key = `serve-test-${Date.now()}`;
    await ok("POST", "/api/cache/set", { key, value: [1, 2], ttlMs: 10_000 });
    expect((await ok("GET", `/api/cache/get?key=${key}`)).value).toEqual([1, 2]);
    await ok("POST", "/api/cache/delete", { key });
    const before = server.session.choice();
    await ok("POST", "/api/backends", { protocol: "cache", url: before.records });
  });

  it("queue: put, then the live tail streams the entries (SSE)", async () => {
    await ok("POST", "/api/queue/put", { value: { n: 0 } });
    const events = await readSse(new URL("/api/queue/tail?from=0", server.url).href, (all) => all.length >= 3, {
      onOpen: async () => {
        await ok("POST", "/api/queue/put", { value: { n: 1 } });
        await ok("POST", "/api/queue/put", { value: { n: 2 } });
      },
    });
    expect(events.map((e) => e.event)).toEqual(["entry", "entry", "entry"]);
    expect(events.map((e) => (e.data as { value: unknown }).value)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(events.map((e) => e.id)).toEqual(["0", "1", "2"]);
    expect((await ok("GET", "/api/queue/stats")).totalCount).toBe(3);
  });

  it("records: seed, then query with a where built from filter rows", async () => {
    expect(await ok("POST", "/api/records/seed", { count: 30 })).toMatchObject({ inserted: 30 });
    const all = await ok("POST", "/api/records/query", { limit: 100 });
    expect(all.total).toBe(30);
    const gold = await ok("POST", "/api/records/query", {
      layer: "gold",
      where: { "content.score": { gte: 4 } },
      orderBy: "-content.score",
      limit: 100,
    });
    const expected = all.records.filter((r: any) => r.layer === "gold" && r.content.score >= 4);
    expect(gold.total).toBe(expected.length);
    expect(gold.records.map((r: any) => r.content.score)).toEqual(
      expected.map((r: any) => r.content.score).sort((a: number, b: number) => b - a),
    );
    const recent = await ok("POST", "/api/records/query", { where: { createdAt: { lte: new Date().toISOString() } } });
    expect(recent.total).toBe(30);
  });

  it("publisher: publish returns a receipt and a live subscriber receives it (SSE)", async () => {
    const channel = `news-${Date.now()}`;
    const events = await readSse(
      new URL(`/api/transport/subscribe?channel=${channel}`, server.url).href,
      (all) => all.some((e) => e.event === "message"),
      {
        onOpen: async () => {
          const receipt = await ok("POST", "/api/transport/publish", { channel, payload: { headline: "hi" } });
          expect(receipt.transports[0]).toMatchObject({ status: "sent", attempts: 1 });
        },
      },
    );
    expect(events[0]).toMatchObject({ event: "subscribed", data: { channel } });
    expect(events.find((e) => e.event === "message")?.data).toMatchObject({ channel, payload: { headline: "hi" } });
  });

  it("SQL console on sqlite and on postgres", async () => {
    const sqlite = await ok("POST", "/api/sql", { text: "select 41 + 1 as answer" });
    expect(sqlite).toMatchObject({ dialect: "sqlite", columns: ["answer"], rowCount: 1 });
    expect(Number(sqlite.rows[0].answer)).toBe(42);
    await ok("POST", "/api/backends", { protocol: "sql", url: POSTGRES });
    const table = `serve_test_${Date.now()}`;
    expect((await ok("POST", "/api/sql", { text: `create table ${table} (n integer)` })).dialect).toBe("postgres");
    expect((await ok("POST", "/api/sql", { text: `insert into ${table} values (1), (2)` })).affectedRows).toBe(2);
    expect((await ok("POST", "/api/sql", { text: `select sum(n) as total from ${table}` })).rows).toEqual([
      { total: expect.anything() },
    ]);
    await ok("POST", "/api/sql", { text: `drop table ${table}` });
  });

  it("stats report cache and queue counters and the latency of each call", async () => {
    const stats = await ok("GET", "/api/stats");
    expect(stats.cache.ok).toBe(true);
    expect(stats.queue).toMatchObject({ ok: true, value: { totalCount: 3 } });
    const protocols = new Set(stats.latency.map((s: any) => s.protocol));
    expect([...protocols].sort()).toEqual(["cache", "queue", "records", "sql", "transport"]);
  });

  it("errors carry their code and message with a 4xx/5xx status", async () => {
    expect(await call("POST", "/api/cache/set", { value: 1 })).toMatchObject({
      status: 400,
      json: { error: { code: "INVALID_ARGUMENT", message: expect.stringContaining('"key"') } },
    });
    expect(await call("POST", "/api/sql", { text: "select * from no_such_table_here" })).toMatchObject({
      status: expect.any(Number),
      json: { error: { code: expect.any(String), message: expect.stringContaining("no_such_table_here") } },
    });
    const down = await call("POST", "/api/backends", { protocol: "queue", url: "redis://127.0.0.1:1" });
    expect(down.status).toBe(503);
    expect(down.json.error.code).toBe("CONNECTION");
    expect(down.json.error.message).toContain("bash tooling/scripts/start-services.sh");
    const unknown = await call("POST", "/api/backends", { protocol: "queue", url: "nosuch://x" });
    expect(unknown).toMatchObject({ status: 400, json: { error: { code: "INVALID_ARGUMENT" } } });
    expect((await ok("GET", "/api/backends")).choice.queue).not.toContain("127.0.0.1:1");
    expect(await call("GET", "/api/nope")).toMatchObject({ status: 404, json: { error: { code: "NOT_FOUND" } } });
    const memorySql = await ok("POST", "/api/backends", { protocol: "sql", url: "memory:" });
    expect(memorySql.supported).toBe(false);
    expect(await call("POST", "/api/sql", { text: "select 1" })).toMatchObject({
      status: 501,
      json: { error: { code: "NOT_SUPPORTED" } },
    });
  });
});
