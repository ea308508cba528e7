import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteBackend } from "./index.js";
import { toRecordsV1File } from "./records-v1.fixture.js";

// Children import the built package, as a user would; `pnpm build` (or turbo) first.
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "core-sqlite-processes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `db-${++files}.db`);

function child(body: string, env: Record<string, string>): { proc: ChildProcess; done: Promise<string> } {
  if (!existsSync(DIST))
    throw new Error(`build the package first (pnpm --filter @core/backend-sqlite build): ${DIST} is missing`);
  const script = `import { openSqliteBackend } from ${JSON.stringify(DIST)};
const env = process.env;
const startAt = Number(env.START_AT ?? 0);
while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 1));
${body}`;
  const proc = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (err += d));
  const done = new Promise<string>((resolve, reject) => {
    proc.on("exit", (code, signal) => {
      if (code === 0) resolve(out.trim());
      else reject(new Error(`child exited with ${code ?? signal}: ${err}`));
    });
  });
  return { proc, done };
}

const startSoon = () => String(Date.now() + 400);

describe("sqlite across processes", () => {
  it("two processes opening the same new file at the same moment both succeed", async () => {
    const path = freshFile();
    const body = `const b = await openSqliteBackend({ path: env.DB });
await b.cache("c").set(env.ME, 1);
await b.close();
console.log("ok");`;
    const START_AT = startSoon();
    const runs = ["a", "b"].map((ME) => child(body, { DB: path, ME, START_AT }).done);
    expect(await Promise.all(runs)).toEqual(["ok", "ok"]);
    const backend = await openSqliteBackend({ path });
    expect(await backend.cache("c").getMany(["a", "b"])).toEqual([1, 1]);
    await backend.close();
  });

  it("three processes opening one version-1 records file at once: one migrates, all see version 2", async () => {
    const path = freshFile();
    const db = new Database(path);
    await (await openSqliteBackend({ database: db })).close();
    // Enough rows that the copy takes a while and the others wait for it on the lock.
    toRecordsV1File(db, "old", 20_000);
    db.close();
    const body = `const b = await openSqliteBackend({ path: env.DB });
const r = b.records("old");
await r.store({ id: env.ME, naturalKey: "new-" + env.ME, layer: "gold", content: {} });
const found = await r.get("r00007");
console.log(JSON.stringify([await r.count(), found.naturalKey]));
await b.close();`;
    const START_AT = startSoon();
    const outs = await Promise.all(["a", "b", "c"].map((ME) => child(body, { DB: path, ME, START_AT }).done));
    for (const out of outs) {
      const [count, key] = JSON.parse(out) as [number, string];
      expect(count).toBeGreaterThan(20_000);
      expect(key).toBe("k55433");
    }
    const after = new Database(path);
    expect(after.prepare("SELECT version FROM core_meta WHERE name = 'records'").pluck().get()).toBe(2);
    const table = after.prepare("SELECT sql FROM sqlite_master WHERE name = 'core_records'").pluck().get();
    expect(table).not.toMatch(/WITHOUT ROWID/);
    expect(after.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE 'core_records_v%'").pluck().get()).toBe(0);
    expect(after.prepare("SELECT count(*) FROM core_records WHERE ns = 'old'").pluck().get()).toBe(20_003);
    expect(after.prepare("SELECT count(*) FROM core_records WHERE ns = 'other'").pluck().get()).toBe(2_000);
    after.close();
  });

  it("increment races between two processes give an exact count", async () => {
    const path = freshFile();
    await (await openSqliteBackend({ path })).close();
    const body = `const b = await openSqliteBackend({ path: env.DB });
const c = b.cache("counters");
for (let i = 0; i < 300; i++) await c.increment("n");
await b.close();
console.log("ok");`;
    const START_AT = startSoon();
    await Promise.all([child(body, { DB: path, START_AT }).done, child(body, { DB: path, START_AT }).done]);
    const backend = await openSqliteBackend({ path });
    expect(await backend.cache("counters").get("n")).toBe(600);
    await backend.close();
  });

  it("two processes writing one maxEntries cache keep it within the limit and its size exact", async () => {
    const path = freshFile();
    await (await openSqliteBackend({ path })).close();
    // Distinct keys per writer, some deletes, and a plain handle of the same namespace.
    const body = `const b = await openSqliteBackend({ path: env.DB });
const lru = b.cache("lru", { maxEntries: 20 });
const plain = b.cache("lru");
for (let i = 0; i < 150; i++) {
  await lru.set(env.ME + i, i);
  if (i % 10 === 0) await plain.set(env.ME + "p" + i, i);
  if (i % 7 === 0) await lru.delete(env.ME + (i - 3));
}
await b.close();
console.log("ok");`;
    const START_AT = startSoon();
    const runs = ["a", "b"].map((ME) => child(body, { DB: path, ME, START_AT }).done);
    expect(await Promise.all(runs)).toEqual(["ok", "ok"]);
    const backend = await openSqliteBackend({ path });
    const [row] = await backend.sql().query<{ kept: number; counted: number }>({
      text: `SELECT (SELECT entries FROM core_cache_sizes WHERE ns = 'lru') AS kept,
        (SELECT count(*) FROM core_cache WHERE ns = 'lru') AS counted`,
    });
    expect(row?.kept).toBe(row?.counted);
    // The last write of each writer was a maxEntries set: nothing above the limit is left.
    expect(row?.counted).toBeLessThanOrEqual(20);
    await backend.close();
  });

  it("two writers appending to one queue get dense, non-overlapping offsets", async () => {
    const path = freshFile();
    await (await openSqliteBackend({ path })).close();
    const body = `const b = await openSqliteBackend({ path: env.DB });
const q = b.queue("events");
const firsts = [];
for (let i = 0; i < 50; i++) firsts.push((await q.putBatch([env.ME, env.ME, env.ME])).first);
await b.close();
console.log(JSON.stringify(firsts));`;
    const START_AT = startSoon();
    const outs = await Promise.all(["a", "b"].map((ME) => child(body, { DB: path, ME, START_AT }).done));
    const backend = await openSqliteBackend({ path });
    const q = backend.queue<string>("events");
    expect(await q.count()).toBe(300);
    const entries = await q.get({ limit: 300 });
    expect(entries.map((e) => e.offset)).toEqual([...Array(300).keys()]);
    for (const [i, out] of outs.entries()) {
      const me = i === 0 ? "a" : "b";
      for (const first of JSON.parse(out) as number[]) {
        // Each batch is contiguous: its three entries are this writer's.
        expect(entries.slice(first, first + 3).map((e) => e.value)).toEqual([me, me, me]);
      }
    }
    await backend.close();
  });

  it("concurrent recordSighting of one new key across processes yields exactly one true", async () => {
    const path = freshFile();
    await (await openSqliteBackend({ path })).close();
    const body = `const b = await openSqliteBackend({ path: env.DB });
const r = b.records("feed");
const wins = [];
for (let i = 0; i < 40; i++) wins.push(await r.recordSighting({ naturalKey: "k" + i, source: env.ME }));
await b.close();
console.log(JSON.stringify(wins));`;
    const START_AT = startSoon();
    const outs = await Promise.all(["a", "b", "c"].map((ME) => child(body, { DB: path, ME, START_AT }).done));
    const wins = outs.map((out) => JSON.parse(out) as boolean[]);
    for (let i = 0; i < 40; i++) expect(wins.filter((w) => w[i]).length, `key ${i}`).toBe(1);
  });

  it("a blocked stream is woken by a writer in another process", async () => {
    const path = freshFile();
    const backend = await openSqliteBackend({ path });
    const controller = new AbortController();
    const iterator = backend
      .queue<string>("wake")
      .stream({ block: true, signal: controller.signal })
      [Symbol.asyncIterator]();
    const next = iterator.next();
    await child(
      `const b = await openSqliteBackend({ path: env.DB }); await b.queue("wake").put("hello"); await b.close();`,
      {
        DB: path,
      },
    ).done;
    expect((await next).value).toMatchObject({ offset: 0, value: "hello" });
    controller.abort();
    await iterator.return?.();
    await backend.close();
  });

  it("a writer killed with SIGKILL mid-batch leaves every committed batch whole and the file readable", async () => {
    const path = freshFile();
    await (await openSqliteBackend({ path })).close();
    const body = `const b = await openSqliteBackend({ path: env.DB });
const q = b.queue("log");
const batch = Array.from({ length: 500 }, (_, i) => ({ i, pad: "x".repeat(100) }));
let n = 0;
for (;;) { await q.putBatch(batch); if (++n === 3) console.log("started"); }`;
    const { proc, done } = child(body, { DB: path });
    await new Promise<void>((resolve) => proc.stdout?.on("data", () => resolve()));
    proc.kill("SIGKILL");
    await done.catch(() => undefined);
    const backend = await openSqliteBackend({ path });
    const q = backend.queue<{ i: number }>("log");
    const total = await q.count();
    expect(total).toBeGreaterThanOrEqual(1500);
    expect(total % 500).toBe(0);
    let offset = 0;
    for await (const entry of q.stream()) {
      expect(entry.offset).toBe(offset);
      expect(entry.value.i).toBe(offset % 500);
      offset++;
    }
    expect(offset).toBe(total);
    await backend.close();
  });
});
