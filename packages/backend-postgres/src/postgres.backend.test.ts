import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { waitFor } from "@core/conformance";
import { BackendError, openBackend } from "@core/protocols";
import { afterAll, describe, expect, test } from "vitest";
import { openPostgresBackend, postgresOptionsFromUrl } from "./index.js";
import { admin, dropSchema, POSTGRES_URL, requireServer, testSchema } from "./postgres.fixture.js";

const run = promisify(execFile);
const schema = testSchema();
const extraSchemas: string[] = [];
await requireServer();
afterAll(async () => {
  for (const s of [schema, ...extraSchemas]) await dropSchema(s);
});

const open = (extra: Record<string, unknown> = {}) =>
  openPostgresBackend({ connectionString: POSTGRES_URL, schema, ...extra });
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const dist = new URL("../dist/index.js", import.meta.url).href;

describe("postgres backend", () => {
  test("two processes racing putBatch keep offsets dense and every batch contiguous", async () => {
    const topic = `race-${Date.now()}`;
    // Each child writes 20 batches of 5; results are "first,count" lines.
    const script = `
      const { openPostgresBackend } = await import(${JSON.stringify(dist)});
      const b = await openPostgresBackend({ connectionString: ${JSON.stringify(POSTGRES_URL)}, schema: ${JSON.stringify(schema)} });
      const q = b.queue(${JSON.stringify(topic)});
      const out = await Promise.all(Array.from({ length: 20 }, (_, i) => q.putBatch([0, 1, 2, 3, 4].map((j) => ({ w: process.pid, i, j })))));
      console.log(JSON.stringify(out));
      await b.close();`;
    const children = await Promise.all(
      [1, 2].map(() =>
        run(process.execPath, ["--input-type=module", "-e", script], { cwd: packageDir, timeout: 30_000 }),
      ),
    );
    const batches = children.flatMap((c) => JSON.parse(c.stdout) as { first: number; count: number }[]);
    const firsts = batches.map((b) => b.first).sort((a, b) => a - b);
    expect(firsts).toEqual(Array.from({ length: 40 }, (_, i) => i * 5));
    const backend = await open();
    try {
      const entries = await backend.queue<{ w: number; i: number; j: number }>(topic).get({ limit: 500 });
      expect(entries.map((e) => e.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      // A batch is contiguous: the 5 values of one call sit at first..first+4 in order.
      for (let o = 0; o < 200; o += 5) {
        const group = entries.slice(o, o + 5).map((e) => e.value);
        expect(new Set(group.map((v) => `${v.w}/${v.i}`)).size).toBe(1);
        expect(group.map((v) => v.j)).toEqual([0, 1, 2, 3, 4]);
      }
    } finally {
      await backend.close();
    }
  });

  test("concurrent recordSighting from three processes: exactly one true per new natural key", async () => {
    const collection = `sight-${Date.now()}`;
    const script = `
      const { openPostgresBackend } = await import(${JSON.stringify(dist)});
      const b = await openPostgresBackend({ connectionString: ${JSON.stringify(POSTGRES_URL)}, schema: ${JSON.stringify(schema)} });
      const feed = b.records(${JSON.stringify(collection)});
      const out = await Promise.all(Array.from({ length: 10 }, (_, i) => feed.recordSighting({ naturalKey: "k" + i, source: String(process.pid) })));
      console.log(JSON.stringify(out));
      await b.close();`;
    const children = await Promise.all(
      [1, 2, 3].map(() =>
        run(process.execPath, ["--input-type=module", "-e", script], { cwd: packageDir, timeout: 30_000 }),
      ),
    );
    const results = children.map((c) => JSON.parse(c.stdout) as boolean[]);
    for (let i = 0; i < 10; i++) expect(results.filter((r) => r[i]).length).toBe(1);
    const backend = await open();
    try {
      expect(await backend.records(collection).getSightings("k0")).toHaveLength(3);
    } finally {
      await backend.close();
    }
  });

  test("several backends creating one schema at once all succeed", async () => {
    const fresh = testSchema();
    extraSchemas.push(fresh);
    const backends = await Promise.all(
      Array.from({ length: 6 }, () => openPostgresBackend({ connectionString: POSTGRES_URL, schema: fresh, max: 2 })),
    );
    try {
      await backends[0]?.cache("c").set("k", 1);
      expect(await backends[5]?.cache("c").get("k")).toBe(1);
    } finally {
      await Promise.all(backends.map((b) => b.close()));
    }
  });

  test("a blocking stream is still woken after its LISTEN connection is terminated", async () => {
    const backend = await open();
    const writer = await open();
    try {
      const topic = `listen-${Date.now()}`;
      const controller = new AbortController();
      const seen: number[] = [];
      const reading = (async () => {
        for await (const e of backend.queue<number>(topic).stream({ block: true, signal: controller.signal })) {
          seen.push(e.value);
          if (seen.length === 2) break;
        }
      })();
      await waitFor(() => backend.listenerProcessId !== undefined, 3000, "the LISTEN connection");
      await writer.queue<number>(topic).put(1);
      await waitFor(() => seen.length === 1, 3000, "the first entry");
      const pid = backend.listenerProcessId;
      const connections = backend.listenerConnections;
      await admin("SELECT pg_terminate_backend($1)", [pid]);
      await waitFor(() => backend.listenerConnections > connections, 5000, "the listener to reconnect");
      expect(backend.listenerProcessId).not.toBe(pid);
      await writer.queue<number>(topic).put(2);
      await reading;
      expect(seen).toEqual([1, 2]);
    } finally {
      await writer.close();
      await backend.close();
    }
  });

  test("terminating every connection mid-workload: CONNECTION errors, later calls work, acknowledged writes kept", async () => {
    const app = `fault-${process.pid}-${Date.now()}`;
    const backend = await open({ applicationName: app, max: 4 });
    try {
      const q = backend.queue<number>(`fault-${Date.now()}`);
      const acknowledged: number[] = [];
      const errors: unknown[] = [];
      const work = Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          q.put(i).then(
            () => acknowledged.push(i),
            (err) => errors.push(err),
          ),
        ),
      );
      await admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [app]);
      await work;
      for (const err of errors) expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
      await q.put(1000);
      const values = (await q.get({ limit: 500 })).map((e) => e.value);
      for (const v of [...acknowledged, 1000]) expect(values).toContain(v);
      const offsets = (await q.get({ limit: 500 })).map((e) => e.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    } finally {
      await backend.close();
    }
  });

  test("an unreachable server is a retryable CONNECTION error saying what to check, never the password", async () => {
    const err = await openPostgresBackend({ connectionString: "postgres://app:s3cret-pw@127.0.0.1:1/db", schema }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(BackendError.is(err, "CONNECTION"), String(err)).toBe(true);
    const message = (err as Error).message;
    expect(message).toMatch(/^\[postgres\] /);
    expect((err as BackendError).retryable).toBe(true);
    expect(message).toContain("ECONNREFUSED");
    expect(message).toContain("reachable");
    expect(message).not.toMatch(/tooling\/|start-services/);
    expect(message).not.toContain("s3cret-pw");
    expect(message).toContain("app:***@127.0.0.1:1");
  });

  test("openBackend opens postgres:// and postgresql:// URLs; ?schema= picks the schema", async () => {
    expect(postgresOptionsFromUrl("postgres://u@h/db?schema=s&sslmode=disable")).toEqual({
      connectionString: "postgres://u@h/db?sslmode=disable",
      schema: "s",
    });
    for (const scheme of ["postgres", "postgresql"]) {
      const url = `${POSTGRES_URL.replace(/^postgres(ql)?:/, `${scheme}:`)}?schema=${schema}`;
      const backend = await openBackend(url);
      try {
        expect(backend.name).toBe("postgres");
        await backend.cache("url").set(scheme, 1);
        const { rows } = await admin(
          `SELECT count(*)::int AS n FROM "${schema}".cache_entries WHERE ns = 'url' AND key = $1`,
          [scheme],
        );
        expect(rows[0].n).toBe(1);
      } finally {
        await backend.close();
      }
    }
  });

  test("unloggedCache creates the cache table UNLOGGED; a user's pool is never ended", async () => {
    const fresh = testSchema();
    extraSchemas.push(fresh);
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
    try {
      const backend = await openPostgresBackend({ pool, schema: fresh, unloggedCache: true });
      await backend.cache("c").set("k", 1);
      await backend.close();
      const { rows } = await pool.query(
        "SELECT c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'cache_entries'",
        [fresh],
      );
      expect(rows[0].relpersistence).toBe("u");
    } finally {
      await pool.end();
    }
  });

  test("bad options are INVALID_ARGUMENT", async () => {
    for (const bad of [
      { schema: "" },
      { schema: "x".repeat(64) },
      { max: 0 },
      { connectionString: "mysql://x" },
      { statementTimeoutMs: -1 },
    ]) {
      const err = await openPostgresBackend(bad as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(BackendError.is(err, "INVALID_ARGUMENT"), JSON.stringify(bad)).toBe(true);
    }
  });

  test("a statement running past statementTimeoutMs is TIMEOUT", async () => {
    const backend = await open({ statementTimeoutMs: 50 });
    try {
      // A row lock held by another session makes the write wait past the timeout.
      const cache = backend.cache("timeout");
      await cache.set("k", 1);
      const { default: pg } = await import("pg");
      const holder = new pg.Client({ connectionString: POSTGRES_URL });
      await holder.connect();
      try {
        await holder.query("BEGIN");
        await holder.query(`SELECT * FROM "${schema}".cache_entries WHERE ns = 'timeout' FOR UPDATE`);
        const err = await cache.set("k", 2).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(BackendError.is(err, "TIMEOUT"), String(err)).toBe(true);
      } finally {
        await holder.query("ROLLBACK");
        await holder.end();
      }
    } finally {
      await backend.close();
    }
  });
});
