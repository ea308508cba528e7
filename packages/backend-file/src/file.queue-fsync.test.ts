import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendError } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { openFileBackend } from "./index.js";

// A group commit's fsync runs off the topic's chain: reads and puts of this process are
// answered while it runs (by event-loop order, not by timing: the fsync completes on the
// thread pool, the read and the put need no more than the chain), and flush() still
// resolves only once its entries are durable.
const root = mkdtempSync(join(tmpdir(), "backend-file-fsync-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const open = () => openFileBackend({ directory: join(root, `d${++n}`), flushIntervalMs: 60_000 });

describe("file backend: reads and puts do not wait for a group commit's fsync", () => {
  it("get and a blocked stream see the batch being fsynced, put goes on, flush resolves after", async () => {
    const backend = await open();
    try {
      const q = backend.queue<string>("q");
      await q.putBatch(["a", "b"]);
      await q.flush();
      await q.put("c");
      let durable = false;
      const flushed = q.flush().then(() => {
        durable = true;
      });
      const page = await q.get({ offset: 0 });
      expect(page.map((e) => e.value)).toEqual(["a", "b", "c"]);
      expect(await q.put("d")).toBe(3);
      const reader = q.stream({ offset: 2, limit: 2, block: true })[Symbol.asyncIterator]();
      expect((await reader.next()).value?.value).toBe("c");
      expect((await reader.next()).value?.value).toBe("d");
      expect(durable).toBe(false);
      await flushed;
      const stats = await q.stats();
      expect(stats).toMatchObject({ totalCount: 4, bufferedCount: 1, persistedCount: 3 });
      await q.flush();
      expect(await q.stats()).toMatchObject({ totalCount: 4, bufferedCount: 0, persistedCount: 4 });
    } finally {
      await backend.close();
    }
  });

  it("a put during the fsync is written by the next flush, densely, and survives a reopen", async () => {
    const directory = join(root, `d${++n}`);
    const first = await openFileBackend({ directory, flushIntervalMs: 60_000 });
    const q = first.queue<number>("q");
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      await q.put(i);
      flushes.push(q.flush());
    }
    await Promise.all(flushes);
    expect(await q.stats()).toMatchObject({ totalCount: 50, bufferedCount: 0, persistedCount: 50 });
    await first.close();
    const second = await openFileBackend({ directory });
    try {
      const entries = await second.queue<number>("q").get({ offset: 0, limit: 100 });
      expect(entries.map((e) => [e.offset, e.value])).toEqual([...Array(50).keys()].map((i) => [i, i]));
    } finally {
      await second.close();
    }
  });
});

// A real full disk: a 1 MiB tmpfs, which needs root (CAP_SYS_ADMIN, as in CI); without it
// the test fails with that reason rather than passing unseen.
function smallDisk(): { path: string; dispose: () => void } {
  const path = mkdtempSync(join(tmpdir(), "backend-file-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", path], { stdio: "pipe" });
  } catch (cause) {
    rmSync(path, { recursive: true, force: true });
    throw new Error(`mounting a 1 MiB tmpfs needs root (CAP_SYS_ADMIN): ${String(cause)}`, { cause });
  }
  return {
    path,
    dispose: () => {
      execFileSync("umount", ["-l", path], { stdio: "pipe" });
      rmSync(path, { recursive: true, force: true });
    },
  };
}

describe("file backend: a group commit on a full disk", () => {
  let disk: { path: string; dispose: () => void } | undefined;
  afterAll(() => disk?.dispose());

  it("fails its flush with CONNECTION, keeps the batch readable exactly once, and writes it once space is freed", async () => {
    disk = smallDisk();
    const directory = join(disk.path, "data");
    const backend = await openFileBackend({ directory, flushIntervalMs: 60_000 });
    const q = backend.queue<string>("q");
    await q.put("kept");
    await q.flush();
    const filler = join(disk.path, "filler");
    const s = statfsSync(directory);
    writeFileSync(filler, Buffer.alloc(Math.max(0, s.bavail * s.bsize - 16 * 1024)));
    const big = "x".repeat(4096);
    await q.putBatch(Array.from({ length: 40 }, (_, i) => `${i}${big}`));
    const failure = await q.flush().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure, String(failure)).toBeInstanceOf(BackendError);
    expect((failure as BackendError).code).toBe("CONNECTION");
    const expected = ["kept", ...Array.from({ length: 40 }, (_, i) => `${i}${big}`)];
    const page = await q.get({ offset: 0, limit: 100 });
    expect(page.map((e) => e.offset)).toEqual([...expected.keys()]);
    expect(page.map((e) => e.value)).toEqual(expected);
    expect(await q.stats()).toMatchObject({ totalCount: 41, bufferedCount: 40, persistedCount: 1 });
    writeFileSync(filler, "");
    await q.flush();
    expect(await q.put("after")).toBe(41);
    await backend.close();
    const reopened = await openFileBackend({ directory });
    try {
      const all = await reopened.queue<string>("q").get({ offset: 0, limit: 100 });
      expect(all.map((e) => e.value)).toEqual([...expected, "after"]);
      expect(all.map((e) => e.offset)).toEqual([...Array(42).keys()]);
      expect((await reopened.queue("q").stats()).truncatedBytes).toBe(0);
    } finally {
      await reopened.close();
    }
  });
});
