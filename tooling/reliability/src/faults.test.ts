import { randomBytes } from "node:crypto";
import { statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openFileBackend } from "@core/backend-file";
import { openPostgresBackend } from "@core/backend-postgres";
import { openRedisBackend } from "@core/backend-redis";
import { openSqliteBackend } from "@core/backend-sqlite";
import { sleep, waitFor } from "@core/conformance";
import { type Backend, BackendError } from "@core/protocols";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { outcome } from "./outcome.js";
import { spawnWorker } from "./processes.js";
import { mountSmallDisk, startOwnRedis } from "./servers.js";
import { createTarget, PERSISTENT, POSTGRES_URL } from "./targets.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Retries `fn` until it succeeds; every failure on the way must be a retryable CONNECTION/TIMEOUT. */
async function recovers<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<{ value: T; failures: string[] }> {
  const failures: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await outcome(fn);
    if (o.ok) return { value: o.value as T, failures };
    const e = o.error as { name?: string; code?: string; retryable?: boolean; message?: string };
    expect(o.error, String(o.error)).toBeInstanceOf(BackendError);
    expect(["CONNECTION", "TIMEOUT"], e.message).toContain(e.code);
    expect(e.retryable).toBe(true);
    failures.push(String(e.code));
    if (Date.now() > deadline) throw new Error(`did not recover within ${timeoutMs} ms: ${e.message}`);
    await sleep(50);
  }
}

describe("faults: SIGKILL of a writer process", () => {
  for (const name of PERSISTENT) {
    it(`${name}: no acknowledged write is lost, the store opens clean and accepts writes at once`, async () => {
      const target = await createTarget(name);
      cleanups.push(() => target.dispose());
      const writer = spawnWorker(target, "write-forever", { me: "w" });
      await writer.until((l) => l.record === "w-15", "15 acknowledged rounds");
      writer.proc.kill("SIGKILL");
      expect(await writer.exited).toBe("SIGKILL");
      const acked = writer.lines;
      const backend = await target.open();
      try {
        const cache = backend.cache("fault-c");
        const queue = backend.queue("fault-q");
        const records = backend.records("fault-r");
        for (const l of acked) {
          if (typeof l.cache === "string") expect(await cache.has(l.cache), `cache ${l.cache}`).toBe(true);
          if (typeof l.record === "string") expect(await records.exists(l.record), `record ${l.record}`).toBe(true);
        }
        const offsets = acked.filter((l) => typeof l.queue === "number").map((l) => l.queue as number);
        const total = await queue.count();
        expect(total).toBeGreaterThanOrEqual(offsets.length);
        const entries = await queue.get({ offset: 0, limit: total + 10 });
        // Dense from 0: an unflushed tail may be gone, but never a hole or a torn entry.
        expect(entries.map((e) => e.offset)).toEqual([...Array(total).keys()]);
        for (const o of offsets) expect(entries[o]?.value).toMatchObject({ me: "w" });
        // A lock the killed process held must not block the next writer for long.
        expect(await queue.put("after")).toBe(total);
        await queue.flush();
        await cache.set("after", 1);
        await records.store({ id: "after", naturalKey: "after", content: {} });
      } finally {
        await backend.close();
      }
    });
  }
});

describe("faults: connection killed by the server", () => {
  it("postgres (pg_terminate_backend): calls fail with retryable CONNECTION at most, then work resumes and blocking streams wake again", async () => {
    const target = await createTarget("postgres");
    cleanups.push(() => target.dispose());
    const app = `rel-kill-${randomBytes(3).toString("hex")}`;
    const backend = await openPostgresBackend({ ...(target.spec.options as object), applicationName: app, max: 3 });
    cleanups.push(() => backend.close());
    const other = await target.open();
    cleanups.push(() => other.close());
    const cache = backend.cache("kc");
    await cache.set("before", 1);
    const queue = backend.queue("kq");
    const controller = new AbortController();
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const e of queue.stream({ block: true, signal: controller.signal })) seen.push(e.value);
    })();
    await other.queue("kq").put("first");
    await waitFor(() => seen.length === 1, 5000, "stream before the kill");

    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    const killed = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1",
      [app],
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);

    const { value } = await recovers(() => cache.get("before"));
    expect(value).toBe(1);
    await recovers(() => cache.set("after", 2));
    expect(await backend.cache("kc").get("after")).toBe(2);
    // The LISTEN connection was killed too: a put from another client must still wake the stream.
    await other.queue("kq").put("second");
    await waitFor(() => seen.length === 2, 10_000, "stream woken after the LISTEN connection was killed");
    controller.abort();
    await reading;
    expect(seen).toEqual(["first", "second"]);
  });

  it("redis (CLIENT KILL) and server restart: CONNECTION while down, recovery without reopening, acknowledged writes survive", async () => {
    const server = await startOwnRedis();
    cleanups.push(() => server.dispose());
    const backend = await openRedisBackend({ url: server.url, prefix: "rel" });
    cleanups.push(() => backend.close());
    const cache = backend.cache("kc");
    const queue = backend.queue("kq");
    await cache.set("a", 1);
    await queue.putBatch([1, 2, 3]);

    // Connection kill: every normal client of this private server is ours.
    expect(Number(server.cli("client", "kill", "type", "normal"))).toBeGreaterThan(0);
    expect((await recovers(() => cache.get("a"))).value).toBe(1);
    expect((await recovers(() => queue.put(4))).value).toBe(3);

    // Server killed: calls fail fast (bounded), with a retryable CONNECTION.
    await server.kill();
    const down = await outcome(() => cache.get("a"));
    expect(down.ok).toBe(false);
    expect((down as { error: { code?: string } }).error.code).toBe("CONNECTION");

    await server.start();
    expect((await recovers(() => cache.get("a"))).value).toBe(1);
    expect((await queue.get({ offset: 0 })).map((e) => e.value)).toEqual([1, 2, 3, 4]);
    expect(await queue.put(5)).toBe(4);
  });
});

describe("faults: full disk (a 1 MiB tmpfs mounted by the test)", () => {
  const cases: [string, (dir: string) => Promise<Backend>][] = [
    ["file", (dir) => openFileBackend({ directory: join(dir, "data") })],
    ["sqlite", (dir) => openSqliteBackend({ path: join(dir, "db.sqlite") })],
  ];
  for (const [name, open] of cases) {
    it(`${name}: a write that does not fit fails with CONNECTION, earlier data stays readable, writes resume once space is freed`, async () => {
      const disk = mountSmallDisk("1m");
      cleanups.push(() => disk.dispose());
      const backend = await open(disk.path);
      cleanups.push(() => backend.close());
      const records = backend.records("disk");
      await records.store({ id: "kept", naturalKey: "kept", content: { ok: true } });
      // Fill the disk almost to the end from outside, then write until the backend hits it.
      const filler = join(disk.path, "filler");
      writeFileSync(filler, Buffer.alloc(Math.max(0, 1024 * 1024 - usedBytes(disk.path) - 64 * 1024)));
      let failure: unknown;
      for (let i = 0; i < 2000 && failure === undefined; i++) {
        const o = await outcome(() =>
          records.store({ id: `r${i}`, naturalKey: `k${i}`, content: { pad: "x".repeat(4096) } }),
        );
        if (!o.ok) failure = o.error;
      }
      expect(failure, "the disk never filled up").toBeDefined();
      expect(failure, String(failure)).toBeInstanceOf(BackendError);
      expect((failure as { code?: string }).code, String(failure)).toBe("CONNECTION");
      expect((await records.get("kept"))?.content).toEqual({ ok: true });
      writeFileSync(filler, "");
      await recovers(() => records.store({ id: "after", naturalKey: "after", content: { ok: 1 } }));
      expect((await records.get("after"))?.content).toEqual({ ok: 1 });
    });

    it(`${name}: on a full disk every acknowledged write is stored — queue put, cache add/increment/set, record store`, async () => {
      const disk = mountSmallDisk("1m");
      cleanups.push(() => disk.dispose());
      const backend = await open(disk.path);
      cleanups.push(() => backend.close());
      const queue = backend.queue<string>("disk");
      const cache = backend.cache<string | number>("disk");
      const records = backend.records("disk");
      await queue.put("first");
      await queue.flush();
      await cache.set("counter", 0);
      await records.store({ id: "kept", naturalKey: "kept", content: { ok: true } });
      const filler = join(disk.path, "filler");
      writeFileSync(filler, Buffer.alloc(Math.max(0, 1024 * 1024 - usedBytes(disk.path) - 64 * 1024)));
      const pad = "x".repeat(4096);
      // Each kind writes until the disk refuses it; what was acknowledged must be readable.
      const acked = {
        put: [] as number[],
        add: [] as string[],
        increments: 0,
        set: [] as string[],
        store: [] as string[],
      };
      const writes: [string, (i: number) => Promise<void>][] = [
        [
          "put",
          async (i) => {
            const offset = await queue.put(`${i}${pad}`);
            await queue.flush();
            acked.put.push(offset);
          },
        ],
        [
          "add",
          async (i) => {
            if (await cache.add(`a${i}`, pad)) acked.add.push(`a${i}`);
          },
        ],
        [
          "increment",
          async () => {
            await cache.increment("counter");
            acked.increments++;
          },
        ],
        [
          "set",
          async (i) => {
            await cache.set(`s${i}`, pad);
            acked.set.push(`s${i}`);
          },
        ],
        [
          "store",
          async (i) => {
            await records.store({ id: `r${i}`, naturalKey: `k${i}`, content: { pad } });
            acked.store.push(`r${i}`);
          },
        ],
      ];
      const refusals: string[] = [];
      for (const [kind, write] of writes) {
        for (let i = 0; i < 600; i++) {
          const o = await outcome(() => write(i));
          if (!o.ok) {
            refusals.push(kind);
            expect((o.error as { code?: string }).code, `${kind}: ${String(o.error)}`).toBe("CONNECTION");
            break;
          }
        }
      }
      // Increments write a few bytes: they may all fit. Every other kind must hit the wall.
      expect(refusals.filter((k) => k !== "increment")).toEqual(["put", "add", "set", "store"]);
      writeFileSync(filler, "");
      const stored = await queue.get({ offset: 0, limit: 10_000 });
      const offsets = new Set(stored.map((e) => e.offset));
      expect(
        acked.put.filter((o) => !offsets.has(o)),
        "acknowledged queue entries missing",
      ).toEqual([]);
      for (const key of [...acked.add, ...acked.set]) expect(await cache.has(key), `cache key ${key}`).toBe(true);
      expect(await cache.get("counter")).toBe(acked.increments);
      for (const id of acked.store) expect((await records.get(id))?.id, `record ${id}`).toBe(id);
    });
  }
});

// Bytes used on the filesystem holding `path`.
function usedBytes(path: string): number {
  const s = statfsSync(path);
  return (s.blocks - s.bfree) * s.bsize;
}
