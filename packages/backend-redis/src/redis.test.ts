import { randomUUID } from "node:crypto";
import { waitFor } from "@core/conformance";
import { type Message, openBackend, registerBackend, unregisterBackend } from "@core/protocols";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { openRedisBackend, provider } from "./index.js";
import { escapeName, namespaceKey } from "./keys.js";
import { REDIS_URL, useRedisAdmin } from "./redis.fixture.js";

const { prefix, admin } = useRedisAdmin("unit");

function message(payload: unknown, idempotencyKey?: string): Message {
  const m: Message = { id: randomUUID(), payload, headers: {}, publishedAt: Date.now() };
  if (idempotencyKey !== undefined) m.idempotencyKey = idempotencyKey;
  return m;
}

describe("key layout", () => {
  it("keeps every key of a namespace in one hash tag whatever the name holds", () => {
    for (const name of ["a", "a:b", "{x}", "}{", "%7B", "a}b{c"]) {
      const key = namespaceKey("core", "c", name);
      const open = key.indexOf("{");
      const close = key.indexOf("}", open);
      expect(key.slice(open + 1, close)).toBe(`c:${escapeName(name)}`);
    }
    expect(escapeName("%7B")).not.toBe(escapeName("{"));
  });

  it("stores names and keys with braces and colons without collisions", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const a = backend.cache<number>("n:{1}");
    const b = backend.cache<number>("n");
    await a.set("}:{k", 1);
    await b.set("{1}:}:{k", 2);
    expect(await a.get("}:{k")).toBe(1);
    expect(await b.get("{1}:}:{k")).toBe(2);
    expect(await a.clear()).toBe(1);
    expect(await b.get("{1}:}:{k")).toBe(2);
  });

  it("rejects a prefix that could break the hash tag", async () => {
    for (const bad of ["", "a{b", "a}b", "x\n"]) {
      await expect(openRedisBackend({ url: REDIS_URL, prefix: bad })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
    }
  });
});

describe("opening", () => {
  it("opens through openBackend for redis:// and reports its capabilities", async () => {
    expect(provider.schemes).toEqual(["redis", "rediss"]);
    // Registered explicitly so the test runs against this source, not a build in dist.
    registerBackend(provider);
    const backend = await openBackend(REDIS_URL, { prefix });
    try {
      expect(backend.name).toBe("redis");
      expect(backend.capabilities).toMatchObject({
        maxEntries: true,
        sql: false,
        persistent: true,
        crossProcess: true,
      });
      expect(() => backend.sql()).toThrow(expect.objectContaining({ code: "NOT_SUPPORTED" }));
    } finally {
      await backend.close();
      unregisterBackend("redis");
      unregisterBackend("rediss");
    }
  });

  it("never closes a client the user owns", async () => {
    const client = new Redis(REDIS_URL);
    try {
      const backend = await openRedisBackend({ client, prefix });
      await backend.cache("c").set("k", 1);
      await backend.close();
      expect(await client.ping()).toBe("PONG");
      expect(() => backend.cache("c")).toThrow(expect.objectContaining({ code: "CLOSED" }));
    } finally {
      client.disconnect();
    }
  });
});

describe("cache specifics", () => {
  it("increment refuses a non-integer value and leaves it unchanged", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const cache = backend.cache<unknown>("inc");
    await cache.set("s", "5");
    await expect(cache.increment("s")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await cache.get("s")).toBe("5");
    await cache.set("big", Number.MAX_SAFE_INTEGER);
    await expect(cache.increment("big")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await cache.increment("n", -3)).toBe(-3);
  });

  it("lists keys whose text looks like a Redis pattern literally", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const cache = backend.cache<number>("glob");
    await cache.setMany([
      { key: "[a]", value: 1 },
      { key: "a", value: 2 },
      { key: "\\*", value: 3 },
    ]);
    const listed = async (match: string) => {
      const out: string[] = [];
      for await (const k of cache.keys({ match })) out.push(k);
      return out.sort();
    };
    expect(await listed("[a]")).toEqual(["[a]"]);
    expect(await listed("\\*")).toEqual(["\\*"]);
    expect(await listed("?")).toEqual(["a"]);
  });
});

describe("records specifics", () => {
  it("an id page whose record vanished under the index fills up and still reaches the next page", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const store = backend.records("vanish");
    await store.storeBatch(["a", "b", "c", "d"].map((id) => ({ id, naturalKey: `nk:${id}`, content: { id } })));
    // The hash of "a" is gone while its index entries stay, as when a delete lands
    // between the page's ZRANGE and its HMGETs.
    await admin().unlink(`${namespaceKey(prefix, "r", "vanish")}:rec:a`);
    const first = await store.queryPage({ limit: 2 });
    expect(first.records.map((r) => r.id)).toEqual(["b", "c"]);
    expect(first.next).not.toBeNull();
    const second = await store.queryPage({ limit: 2, after: first.next ?? undefined });
    expect(second.records.map((r) => r.id)).toEqual(["d"]);
    expect(second.next).toBeNull();
    // "d" fills in for "a", and the script reads on past it to know that nothing follows.
    const whole = await store.queryPage({ limit: 3 });
    expect(whole.records.map((r) => r.id)).toEqual(["b", "c", "d"]);
    expect(whole.next).toBeNull();
    // The same by -createdAt, whose index (one batch: one time, ties by id) reads in reverse.
    const byTime = await store.queryPage({ limit: 3, orderBy: "-createdAt" });
    expect(byTime.records.map((r) => r.id)).toEqual(["d", "c", "b"]);
    expect(byTime.next).toBeNull();
  });
});

describe("records index layout", () => {
  it("a collection of the layout with descending-time sets loses them on its first query", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const store = backend.records("retired");
    await store.storeBatch(["a", "b", "c"].map((id) => ({ id, naturalKey: `nk:${id}`, content: {} })));
    const base = namespaceKey(prefix, "r", "retired");
    // What the previous layout left: its marker and a descending-time set per scope.
    await admin().set(`${base}:layout`, "2");
    for (const scope of ["all", "bronze"]) {
      await admin().zadd(`${base}:ix:C:${scope}`, 0, "0stale");
      await admin().zadd(`${base}:ix:U:${scope}`, 0, "0stale");
    }
    await using fresh = await openRedisBackend({ url: REDIS_URL, prefix });
    const page = await fresh.records("retired").queryPage({ orderBy: "-createdAt" });
    expect(page.records.map((r) => r.id)).toEqual(["c", "b", "a"]);
    expect(
      await admin().exists(`${base}:ix:C:all`, `${base}:ix:U:all`, `${base}:ix:C:bronze`, `${base}:ix:U:bronze`),
    ).toBe(0);
    expect(await admin().get(`${base}:layout`)).toBe("5");
    // Writes add to the ascending time sets only.
    await fresh.records("retired").store({ id: "d", naturalKey: "nk:d", content: {} });
    expect(await admin().exists(`${base}:ix:C:all`, `${base}:ix:U:all`)).toBe(0);
    expect(await admin().zcard(`${base}:ix:c:all`)).toBe(4);
  });
});

describe("records natural-key index", () => {
  // Code point order is UTF-8 byte order; NUL and prefixes are where an encoding of the key
  // in front of the id could go wrong.
  const naturalKeys = ["a", "a\u0000", "a\u0000b", "a\u0000\u0000", "a\u0001", "ab", "\u0000", "é", "z"];
  const byBytes = (keys: string[]) => [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  const sorted = byBytes(naturalKeys);

  async function walk(store: ReturnType<Awaited<ReturnType<typeof openRedisBackend>>["records"]>, query: object) {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await store.queryPage({ ...query, limit: 2, after });
      seen.push(...page.records.map((r) => r.naturalKey));
      after = page.next ?? undefined;
    } while (after !== undefined);
    return seen;
  }

  it("pages natural keys holding NUL and prefixes of each other in byte order, both ways", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const store = backend.records("nul-keys");
    await store.storeBatch(
      naturalKeys.map((naturalKey, i) => ({ id: `r${i}`, naturalKey, layer: "gold", content: { g: i % 2 } })),
    );
    expect(await walk(store, { orderBy: "naturalKey" })).toEqual(sorted);
    expect(await walk(store, { orderBy: "-naturalKey", layer: "gold" })).toEqual([...sorted].reverse());
    // Through the equality postings too.
    const even = sorted.filter((k) => naturalKeys.indexOf(k) % 2 === 0);
    expect(await walk(store, { orderBy: "naturalKey", where: { "content.g": 0 } })).toEqual(even);
    // A renamed key moves in the index.
    await store.store({ id: "r0", naturalKey: "zz", layer: "gold", content: { g: 0 } });
    const renamed = byBytes(naturalKeys.map((k) => (k === "a" ? "zz" : k)));
    expect(await walk(store, { orderBy: "-naturalKey" })).toEqual(renamed.reverse());
  });

  it("a collection of layout 4 (bare natural keys as members) is rebuilt on its first query", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const store = backend.records("bare-keys");
    await store.storeBatch(naturalKeys.map((naturalKey, i) => ({ id: `r${i}`, naturalKey, content: {} })));
    const base = namespaceKey(prefix, "r", "bare-keys");
    // What layout 4 left: its marker and the natural keys alone as members.
    await admin().set(`${base}:layout`, "4");
    for (const scope of ["all", "bronze"]) {
      await admin().del(`${base}:ix:k:${scope}`);
      await admin().zadd(`${base}:ix:k:${scope}`, ...naturalKeys.flatMap((k) => [0, k]));
    }
    await using fresh = await openRedisBackend({ url: REDIS_URL, prefix });
    const reopened = fresh.records("bare-keys");
    // A write before the first query adds a member of the new form beside the bare ones.
    await reopened.store({ id: "r8", naturalKey: "zz", content: {} });
    const expected = byBytes(naturalKeys.map((k) => (k === "z" ? "zz" : k)));
    expect(await walk(reopened, { orderBy: "naturalKey" })).toEqual(expected);
    expect(await walk(reopened, { orderBy: "-naturalKey", layer: "bronze" })).toEqual([...expected].reverse());
    expect(await admin().get(`${base}:layout`)).toBe("5");
    const members = await admin().zrange(`${base}:ix:k:all`, 0, -1);
    expect(members.map((m) => m.slice(m.indexOf("\u0000\u0000r") + 2)).sort()).toEqual(
      naturalKeys.map((_, i) => `r${i}`),
    );
  });
});

describe("transport specifics", () => {
  it("ephemeral mode is at-most-once pub/sub and drops repeated idempotency keys", async () => {
    await using backend = await openRedisBackend({ url: REDIS_URL, prefix });
    const bus = backend.transport({ mode: "ephemeral" });
    expect(bus.delivery).toBe("at-most-once");
    const got: unknown[] = [];
    let fail = true;
    const sub = await bus.subscribe("eph", (m) => {
      if (fail) {
        fail = false;
        throw new Error("lost");
      }
      got.push(m.payload);
    });
    await bus.send("eph", [message(1), message(2, "k"), message(3, "k")]);
    await waitFor(() => got.length === 1, 2000, "delivery");
    await bus.send("eph", [message(4)]);
    await waitFor(() => got.length === 2, 2000, "delivery");
    expect(got).toEqual([2, 4]);
    await sub.unsubscribe();
    await bus.close();
  });

  it("a group reclaims what a consumer that died without unsubscribing held", async () => {
    const channel = `reclaim-${randomUUID()}`;
    const dead = await openRedisBackend({ url: REDIS_URL, prefix });
    const alive = await openRedisBackend({ url: REDIS_URL, prefix });
    try {
      const got: unknown[] = [];
      let stall!: () => void;
      const stalled = new Promise<void>((resolve) => {
        stall = resolve;
      });
      // This consumer reads the message and never acknowledges it (a hung process).
      await dead.transport({ claimIdleMs: 50 }).subscribe(channel, () => stalled, { group: "g" });
      await alive.transport().send(channel, [message("only")]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await alive.transport({ claimIdleMs: 50 }).subscribe(channel, (m) => void got.push(m.payload), { group: "g" });
      await waitFor(() => got.length === 1, 5000, "the reclaimed message");
      expect(got).toEqual(["only"]);
      stall();
    } finally {
      await alive.close();
      await dead.close();
    }
  });
});
