import { BackendError } from "@core/protocols";
import { settle } from "@core/test-net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRedisBackend } from "./index.js";
import { REDIS_URL, requireRedis, uniquePrefix } from "./redis.fixture.js";

beforeAll(() => requireRedis());

const owned: Redis[] = [];
afterAll(() => {
  for (const client of owned) client.disconnect();
});

describe("redis autoPipelining option", () => {
  it("serves 256 concurrent cache, queue and record calls with their own results", async () => {
    const backend = await openRedisBackend({ url: REDIS_URL, prefix: uniquePrefix("ap"), autoPipelining: true });
    try {
      const cache = backend.cache<number>("c");
      const queue = backend.queue<number>("q");
      const records = backend.records("r");
      const n = Array.from({ length: 256 }, (_, i) => i);
      await Promise.all(n.map((i) => cache.set(`k${i}`, i)));
      expect(await Promise.all(n.map((i) => cache.get(`k${i}`)))).toEqual(n);
      const offsets = await Promise.all(n.map((i) => queue.put(i)));
      expect([...offsets].sort((a, b) => a - b)).toEqual(n);
      const entries = await queue.get({ offset: 0, limit: 256 });
      expect(entries.map((e) => e.value).sort((a, b) => a - b)).toEqual(n);
      await Promise.all(n.map((i) => records.store({ id: `r${i}`, naturalKey: `nk${i}`, content: { i } })));
      const got = await Promise.all(n.map((i) => records.get(`r${i}`)));
      expect(got.map((r) => r?.content)).toEqual(n.map((i) => ({ i })));
      // The blocking reader (a dedicated connection) still wakes up on a put.
      const reader = queue.stream({ offset: 256, block: true })[Symbol.asyncIterator]();
      const next = reader.next();
      await queue.put(1000);
      expect((await next).value?.value).toBe(1000);
      await reader.return?.();
    } finally {
      await backend.close();
    }
  });

  it("rejects a non-boolean value, and the option next to a client of your own, with INVALID_ARGUMENT", async () => {
    const bad = await settle(openRedisBackend({ url: REDIS_URL, autoPipelining: "yes" as unknown as boolean }));
    expect(BackendError.is(bad.err, "INVALID_ARGUMENT"), String(bad.err)).toBe(true);
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    owned.push(client);
    const mixed = await settle(
      openRedisBackend({ client: client as never, prefix: uniquePrefix("ap"), autoPipelining: true }),
    );
    expect(BackendError.is(mixed.err, "INVALID_ARGUMENT"), String(mixed.err)).toBe(true);
    expect((mixed.err as Error).message).toContain("enableAutoPipelining");
  });
});
