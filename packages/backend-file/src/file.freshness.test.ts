import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openFileBackend } from "./index.js";

// Two backends on one directory have separate in-memory views, like two processes: what
// one writes, the other must see on its next read although reads are served from memory
// after a cheap staleness check.
const root = mkdtempSync(join(tmpdir(), "backend-file-fresh-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const pair = async () => {
  const directory = join(root, `d${++n}`);
  const options = { directory, segmentBytes: 256, flushIntervalMs: 1 };
  return [await openFileBackend(options), await openFileBackend(options)] as const;
};

describe("file backend: reads served from memory still see other writers", () => {
  it("cache and records reads see the other view's writes and compactions", async () => {
    const [a, b] = await pair();
    const ca = a.cache<number>("c");
    const cb = b.cache<number>("c");
    expect(await ca.get("k")).toBeUndefined();
    await cb.set("k", 1);
    expect(await ca.get("k")).toBe(1);
    // Enough writes to compact the log (a new inode): the reader reloads.
    for (let i = 0; i < 1200; i++) await cb.set("k", i);
    expect(await ca.get("k")).toBe(1199);
    expect(await ca.increment("k")).toBe(1200);
    expect(await cb.get("k")).toBe(1200);

    const ra = a.records("r");
    const rb = b.records("r");
    expect((await ra.queryPage({ limit: 2 })).records).toEqual([]);
    for (const id of ["c", "a", "b"]) await rb.store({ id, naturalKey: id, content: {} });
    const first = await ra.queryPage({ limit: 2 });
    expect(first.records.map((r) => r.id)).toEqual(["a", "b"]);
    await rb.delete("c");
    await rb.store({ id: "bb", naturalKey: "bb", content: {} });
    const next = await ra.queryPage({ limit: 2, after: first.next ?? undefined });
    expect(next.records.map((r) => r.id)).toEqual(["bb"]);
    expect(next.next).toBeNull();
    await a.close();
    await b.close();
  });

  it("queue reads see the other view's appends, segment rotations and trims", async () => {
    const [a, b] = await pair();
    const qa = a.queue<string>("q");
    const qb = b.queue<string>("q");
    expect(await qa.get()).toEqual([]);
    await qb.putBatch(["x".repeat(40), "y".repeat(40)]);
    await qb.flush();
    expect((await qa.get()).map((e) => e.offset)).toEqual([0, 1]);
    // 256-byte segments: these rotate several times.
    for (let i = 0; i < 20; i++) await qb.put(`v${i}${"z".repeat(40)}`);
    await qb.flush();
    expect((await qa.get({ offset: 21, limit: 5 })).map((e) => e.value.slice(0, 3))).toEqual(["v19"]);
    expect(await qa.count()).toBe(22);
    await qb.trim({ before: 10 });
    const page = await qa.get({ limit: 3 });
    expect(page.map((e) => e.offset)).toEqual([10, 11, 12]);
    expect((await qa.stats()).firstOffset).toBe(10);
    await a.close();
    await b.close();
  });

  it("reads started together share one check, which still sees a write completed after the first of them started", async () => {
    const directory = join(root, `d${++n}`);
    const backend = await openFileBackend({ directory });
    const cache = backend.cache<number>("c");
    await cache.set("k", 1);
    const dist = resolve(import.meta.dirname, "../dist/index.js");
    const first = cache.get("k");
    // Another process writes and exits before the next read is called, with no await in
    // between: that read shares the first one's check, which must run after both calls.
    execFileSync(process.execPath, [
      "--input-type=module",
      "-e",
      `import { openFileBackend } from ${JSON.stringify(dist)};
       const b = await openFileBackend({ directory: ${JSON.stringify(directory)} });
       await b.cache("c").set("k", 2);
       await b.close();`,
    ]);
    const second = cache.get("k");
    expect(await second).toBe(2);
    expect(await first).toBe(2);
    await backend.close();
  });
});
