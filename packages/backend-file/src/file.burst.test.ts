import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendError } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { child, until } from "./children.fixture.js";
import { lockCounters, openFileBackend } from "./index.js";
import { fileName } from "./names.js";

// A cache's writes keep its lock across a burst and commit concurrent calls together; these
// check that every cross-process guarantee survives that, with real processes.
const root = mkdtempSync(join(tmpdir(), "backend-file-burst-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);
const lockOf = (directory: string, name: string) => join(directory, "cache", fileName(name), "lock");

describe("file cache: lock kept across a burst of writes, group commits", () => {
  it("a process waiting for the lock gets it while another writes without pause", async () => {
    const directory = freshDir();
    // 64 calls in flight, forever: the writer always has the next write queued.
    const writer = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)} });
      const c = b.cache("c");
      let i = 0;
      const loop = async () => { for (;;) { await c.set("w" + (i++ % 100), i); if (i % 2000 === 0) console.log(String(i)); } };
      for (let k = 0; k < 64; k++) loop();`);
    try {
      await until(() => writer.lines.length >= 2, "the writer to run");
      // A waiter that would fail with LOCKED if the writer never let go within 5 s.
      const backend = await openFileBackend({ directory, lockTimeoutMs: 5000 });
      const cache = backend.cache<number>("c");
      for (let i = 1; i <= 20; i++) expect(await cache.increment("mine")).toBe(i);
      const during = writer.lines.length;
      await until(() => writer.lines.length > during, "the writer to go on writing");
      expect(await cache.get("mine")).toBe(20);
      await backend.close();
    } finally {
      writer.proc.kill("SIGKILL");
      await writer.exited;
    }
  });

  it("a burst of concurrent writes from one process is all seen by the next read of another", async () => {
    const directory = freshDir();
    const writer = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)} });
      const c = b.cache("c");
      const results = await Promise.all(Array.from({ length: 500 }, (_, i) => i % 2 ? c.set("k" + i, i) : c.increment("n")));
      console.log(JSON.stringify(results.filter((r) => r !== undefined)));
      setInterval(() => {}, 1000);`);
    try {
      await until(() => writer.lines.length >= 1, "the burst to resolve");
      // Each increment saw the ones before it in the same group: 1..250, each once.
      const counts = JSON.parse(writer.lines[0] as string) as number[];
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
      const backend = await openFileBackend({ directory });
      const cache = backend.cache<number>("c");
      const keys = Array.from({ length: 250 }, (_, i) => `k${2 * i + 1}`);
      expect(await cache.getMany(keys)).toEqual(keys.map((_, i) => 2 * i + 1));
      expect(await cache.get("n")).toBe(250);
      await backend.close();
    } finally {
      writer.proc.kill("SIGKILL");
      await writer.exited;
    }
  });

  it("a process killed (SIGKILL) while holding the lock in a burst never wedges the others", async () => {
    const directory = freshDir();
    // 64 writes in flight keep the lock from group to group; one increment's codec blocks
    // forever under the lock (it decodes the stored value there), so the child dies holding it.
    const writer = child(`
      const hang = { name: "hang", encode: JSON.stringify, decode: (t) => { if (t === '"hang"') for (;;) {} return JSON.parse(t); } };
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)} });
      const c = b.cache("c", { codec: hang });
      await c.set("h", "hang");
      await Promise.all(Array.from({ length: 64 }, (_, i) => c.set("k" + i, i)));
      console.log("holding");
      await Promise.all([...Array.from({ length: 64 }, (_, i) => c.set("k" + i, -i)), c.increment("h")]);`);
    await until(() => writer.lines.includes("holding"), "the writer to start its last burst");
    const lock = lockOf(directory, "c");
    await until(() => existsSync(lock) && readFileSync(lock, "utf8").startsWith(`${writer.proc.pid} `), "the lock");
    writer.proc.kill("SIGKILL");
    await writer.exited;
    const recovered = lockCounters.recovered;
    const backend = await openFileBackend({ directory, lockTimeoutMs: 5000 });
    const cache = backend.cache<number>("c");
    expect(await cache.increment("n")).toBe(1);
    expect(lockCounters.recovered).toBe(recovered + 1);
    // Acknowledged writes are there; the killed group's were never acknowledged.
    expect(await cache.get("k63")).toBeGreaterThanOrEqual(63);
    await backend.close();
  });

  it("a process with nothing more to write lets the lock go at once, and leaves none when it exits", async () => {
    const directory = freshDir();
    // After its writes the child blocks its event loop: a lock kept for writes that might
    // come would stay taken all that time (and wedge a synchronous child writing the store).
    const writer = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)} });
      const c = b.cache("c");
      await Promise.all(Array.from({ length: 50 }, (_, i) => c.set("k" + i, i)));
      console.log("blocking");
      for (;;) {}`);
    try {
      await until(() => writer.lines.includes("blocking"), "the writer to block");
      expect(existsSync(lockOf(directory, "c"))).toBe(false);
      const backend = await openFileBackend({ directory, lockTimeoutMs: 5000 });
      expect(await backend.cache<number>("c").increment("k0")).toBe(1);
      await backend.close();
    } finally {
      writer.proc.kill("SIGKILL");
      await writer.exited;
    }
    const exiting = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)} });
      const c = b.cache("c");
      Promise.all(Array.from({ length: 50 }, (_, i) => c.set("x" + i, i)));
      setImmediate(() => process.exit(0));`);
    expect(await exiting.exited).toBe(0);
    expect(existsSync(lockOf(directory, "c"))).toBe(false);
  });

  it("a call of a group that throws fails alone; the others are written", async () => {
    const directory = freshDir();
    const backend = await openFileBackend({ directory });
    const cache = backend.cache<unknown>("c");
    await cache.set("text", "not a number");
    const results = await Promise.allSettled([
      cache.increment("a"),
      cache.increment("text"),
      cache.set("b", 2),
      cache.increment("a"),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(BackendError.is((results[1] as PromiseRejectedResult).reason)).toBe(true);
    const other = await openFileBackend({ directory });
    expect(await other.cache("c").getMany(["a", "b", "text"])).toEqual([2, 2, "not a number"]);
    await other.close();
    await backend.close();
  });
});
