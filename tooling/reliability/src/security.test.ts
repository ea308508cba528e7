import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { openPostgresBackend } from "@core/backend-postgres";
import { openRedisBackend } from "@core/backend-redis";
import { type Backend, BackendError } from "@core/protocols";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { message } from "./corpus.js";
import { outcome } from "./outcome.js";
import { BACKENDS, createTarget, type Target } from "./targets.js";

const SECRET = "s3cretPW-9f2";

// Everything an error exposes: message, stack and the whole cause chain.
function everything(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as { message?: unknown; stack?: unknown; cause?: unknown } | undefined, i = 0; e && i < 10; i++) {
    parts.push(String(e.message), String(e.stack), JSON.stringify(e, Object.getOwnPropertyNames(e)));
    e = e.cause as typeof e;
  }
  return parts.join("\n");
}

describe("security: connection strings are redacted in every error and log line", () => {
  const logged: string[] = [];
  beforeAll(() => {
    for (const method of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation(
        (...args: unknown[]) => void logged.push(args.map(String).join(" ")),
      );
    }
  });
  afterAll(() => vi.restoreAllMocks());

  const cases: [string, () => Promise<unknown>][] = [
    [
      "postgres, wrong user and password",
      () =>
        openPostgresBackend({
          connectionString: `postgres://nobody:${SECRET}@127.0.0.1:5432/test`,
          connectTimeoutMs: 3000,
        }),
    ],
    [
      "postgres, unreachable port",
      () =>
        openPostgresBackend({ connectionString: `postgres://root:${SECRET}@127.0.0.1:1/test`, connectTimeoutMs: 2000 }),
    ],
    [
      "postgres, wrong scheme",
      () => openPostgresBackend({ connectionString: `mysql://root:${SECRET}@127.0.0.1/test` }),
    ],
    [
      "postgres, password in a query parameter",
      () =>
        openPostgresBackend({
          connectionString: `postgres://127.0.0.1:1/test?password=${SECRET}`,
          connectTimeoutMs: 2000,
        }),
    ],
    [
      "redis, unreachable port",
      () => openRedisBackend({ url: `redis://default:${SECRET}@127.0.0.1:1`, connectTimeoutMs: 2000 }),
    ],
    ["redis, wrong scheme", () => openRedisBackend({ url: `http://default:${SECRET}@127.0.0.1:6379` })],
  ];
  for (const [label, open] of cases) {
    it(`${label}: the error never contains the password`, async () => {
      const o = await outcome(open);
      if (o.ok) await (o.value as Backend).close();
      expect(o.ok, "the connection should have failed").toBe(false);
      expect(o.ok ? undefined : o.error).toBeInstanceOf(BackendError);
      expect(everything(o.ok ? undefined : o.error)).not.toContain(SECRET);
      expect(logged.join("\n")).not.toContain(SECRET);
    });
  }
});

function modes(root: string): { path: string; mode: string }[] {
  const out: { path: string; mode: string }[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    out.push({ path: p, mode: (st.mode & 0o777).toString(8) });
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(root);
  return out;
}

async function touchEverything(backend: Backend): Promise<void> {
  await backend.cache("perm").set("k", 1);
  const q = backend.queue("perm");
  await q.put(1);
  await q.commit("g", 1);
  await q.flush();
  await backend.records("perm").store({ id: "a", naturalKey: "a", content: {} });
  await backend.records("perm").recordSighting({ naturalKey: "a", source: "s" });
  await backend.transport().send("perm", [message({ idempotencyKey: "i" })]);
}

describe("security: files 0600, directories 0700", () => {
  for (const name of ["file", "sqlite"] as const) {
    it(`${name}: everything the backend creates is private to its user`, async () => {
      const target = await createTarget(name);
      const backend = await target.open();
      try {
        await touchEverything(backend);
        const root = name === "file" ? String(target.path) : dirname(String(target.path));
        const found = modes(root).filter((m) => m.path !== root || name === "file");
        const wrong = found.filter((m) => m.mode !== (statSync(m.path).isDirectory() ? "700" : "600"));
        expect(found.length).toBeGreaterThan(1);
        expect(wrong).toEqual([]);
      } finally {
        await backend.close();
        await target.dispose();
      }
    });
  }
});

const POLLUTERS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

for (const name of BACKENDS) {
  describe(`security: no prototype pollution, large batches: ${name}`, () => {
    let target: Target;
    let backend: Backend;
    beforeAll(async () => {
      target = await createTarget(name);
      backend = await target.open();
    });
    afterAll(async () => {
      await backend?.close();
      await target?.dispose();
    });

    it("keys, values, record fields, filters and headers named like prototype members are data or rejected, never pollution", async () => {
      const cache = backend.cache("proto");
      for (const key of POLLUTERS) await cache.set(key, { polluted: key });
      expect(await cache.getMany(POLLUTERS)).toEqual(POLLUTERS.map((k) => ({ polluted: k })));
      expect(await cache.increment("__proto__x")).toBe(1);
      const evil = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');
      await cache.set("evil", evil);
      const back = (await cache.get("evil")) as Record<string, unknown>;
      expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
      const q = backend.queue("proto");
      await q.put(evil);
      expect(Object.getPrototypeOf((await q.get())[0]?.value)).toBe(Object.prototype);
      const records = backend.records("proto");
      await records.store({ id: "__proto__", naturalKey: "constructor", content: { toString: "x" } });
      expect((await records.get("__proto__"))?.content).toEqual({ toString: "x" });
      for (const where of [{ "content.__proto__": 1 }, JSON.parse('{"__proto__": {"polluted": 1}}')]) {
        expect((await outcome(() => records.count({ where }))).ok).toBe(false);
      }
      await backend
        .transport()
        .send("proto", [message({ headers: JSON.parse('{"__proto__": "x", "constructor": "y"}') })]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(Object.prototype)).toEqual([]);
    });

    it("large batches (20 000 queue values, 5 000 cache entries, 2 000 records) go through and read back in pages", async () => {
      const q = backend.queue("big");
      const values = Array.from({ length: 20_000 }, (_, i) => i);
      expect(await q.putBatch(values)).toEqual({ first: 0, count: 20_000 });
      await q.flush();
      let seen = 0;
      for await (const e of q.stream()) {
        expect(e.offset).toBe(seen);
        seen++;
      }
      expect(seen).toBe(20_000);
      const cache = backend.cache("big");
      await cache.setMany(Array.from({ length: 5_000 }, (_, i) => ({ key: `k${i}`, value: i })));
      expect(await cache.getMany(["k0", "k4999"])).toEqual([0, 4999]);
      expect(await cache.deleteMany(Array.from({ length: 5_000 }, (_, i) => `k${i}`))).toBe(5_000);
      const records = backend.records("big");
      const batch = Array.from({ length: 2_000 }, (_, i) => ({ id: `r${i}`, naturalKey: `n${i}`, content: { i } }));
      expect(await records.storeBatch(batch)).toEqual({ inserted: 2_000, updated: 0, skipped: 0 });
      expect(await records.count()).toBe(2_000);
    });
  });
}
