import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendError } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { child, sleep, until } from "./children.fixture.js";
import { openFileBackend } from "./index.js";
import { fileName } from "./names.js";

const root = mkdtempSync(join(tmpdir(), "backend-file-crash-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);

function segmentsOf(directory: string, topic: string): string[] {
  const dir = join(directory, "queue", fileName(topic));
  return readdirSync(dir)
    .filter((f) => f.startsWith("seg-"))
    .sort()
    .map((f) => join(dir, f));
}

describe("file backend crash safety (real processes, SIGKILL)", () => {
  it("keeps every flushed entry with dense offsets when a writer is killed at random moments", async () => {
    // As many rounds as fit in about three seconds (at least four), each killed at a random
    // moment: mid-write, mid-fsync, mid-rotation or between batches.
    const started = Date.now();
    for (let round = 0; round < 4 || (Date.now() - started < 3000 && round < 12); round++) {
      const directory = freshDir();
      const { proc, lines, exited } = child(`
        const b = await openFileBackend({ directory: ${JSON.stringify(directory)}, segmentBytes: 4096 });
        const q = b.queue("t");
        console.log("0");
        for (let i = 0; ; i += 50) {
          await q.putBatch(Array.from({ length: 50 }, (_, j) => "v" + (i + j) + "x".repeat(80)));
          await q.flush();
          console.log(String(i + 50));
        }`);
      await until(() => lines.length >= 1, "the child to start");
      await sleep(Math.random() * 80);
      proc.kill("SIGKILL");
      await exited;
      const flushed = Number(lines.at(-1));
      const backend = await openFileBackend({ directory });
      const q = backend.queue<string>("t");
      const total = await q.count();
      expect(total).toBeGreaterThanOrEqual(flushed);
      const all = [];
      for await (const e of q.stream()) all.push(e);
      expect(all.map((e) => e.offset)).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(all.every((e, i) => e.value === `v${i}${"x".repeat(80)}`)).toBe(true);
      expect(await q.put("after")).toBe(total);
      await backend.close();
    }
  });

  it("truncates a torn tail and reports it; a bad checksum in the last record drops and reports it", async () => {
    const directory = freshDir();
    const damaged: unknown[] = [];
    const onDamagedRecord = (report: unknown) => void damaged.push(report);
    let backend = await openFileBackend({ directory, onDamagedRecord });
    for (const value of ["a", "b", "c"]) {
      await backend.queue("t").put(value);
      await backend.queue("t").flush(); // one record each (a group commit of several is one batch)
    }
    await backend.close();
    const [segment] = segmentsOf(directory, "t");
    appendFileSync(segment as string, Buffer.from([7, 0, 0, 0, 0xf8, 0xff]));
    backend = await openFileBackend({ directory, onDamagedRecord });
    let q = backend.queue<string>("t");
    expect((await q.get()).map((e) => e.value)).toEqual(["a", "b", "c"]);
    expect((await q.stats()).truncatedBytes).toBe(6);
    await backend.close();
    const bytes = readFileSync(segment as string);
    bytes[bytes.length - 1] = (bytes.at(-1) as number) ^ 0xff; // flips a byte of the last record's value
    writeFileSync(segment as string, bytes);
    backend = await openFileBackend({ directory, onDamagedRecord });
    q = backend.queue<string>("t");
    expect(damaged).toEqual([]);
    expect((await q.get()).map((e) => e.value)).toEqual(["a", "b"]);
    expect((await q.stats()).truncatedBytes).toBeGreaterThan(0);
    expect((await q.stats()).damagedRecords).toBe(1);
    expect(damaged).toEqual([expect.objectContaining({ file: segment, bytes: 12 + 16 + 3 })]);
    expect(await q.put("c2")).toBe(2);
    await backend.close();
  });

  it("a corrupted byte in the middle of a segment is CORRUPTION, never wrong data", async () => {
    const directory = freshDir();
    let backend = await openFileBackend({ directory });
    for (const value of ["first-value", "second-value", "third-value"]) {
      await backend.queue("t").put(value);
      await backend.queue("t").flush();
    }
    await backend.close();
    const [segment] = segmentsOf(directory, "t");
    const bytes = readFileSync(segment as string);
    bytes[12 + 16 + 3] = (bytes[12 + 16 + 3] as number) ^ 0x01; // inside the first entry's text
    writeFileSync(segment as string, bytes);
    backend = await openFileBackend({ directory });
    const error = await backend
      .queue("t")
      .get()
      .catch((err: unknown) => err);
    expect(BackendError.is(error, "CORRUPTION")).toBe(true);
    await backend.close();
  });

  it("a segment cut short behind a reader's back is CORRUPTION, never a short page", async () => {
    const directory = freshDir();
    const backend = await openFileBackend({ directory });
    const q = backend.queue<string>("t");
    await q.putBatch(Array.from({ length: 40 }, (_, i) => `value-${i}`));
    await q.flush();
    expect(await q.get({ offset: 30, limit: 5 })).toHaveLength(5);
    const [segment] = segmentsOf(directory, "t");
    // Cut on a record boundary (the 20 first entries stay): no torn record to notice.
    const bytes = readFileSync(segment as string);
    let end = 12; // after the header of the batch frame holding the 40 entries
    for (let i = 0; i < 20; i++) end += 12 + bytes.readUInt32LE(end);
    writeFileSync(segment as string, bytes.subarray(0, end));
    for (const page of [
      { offset: 30, limit: 5 },
      { offset: 15, limit: 10 },
    ]) {
      const error = await q.get(page).catch((err: unknown) => err);
      expect(BackendError.is(error, "CORRUPTION")).toBe(true);
    }
    await backend.close();
  });

  it("recovers a lock left by a SIGKILLed process", async () => {
    const directory = freshDir();
    const { proc, lines, exited } = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)}, flushIntervalMs: 60000, batchSize: 100000 });
      await b.queue("t").put("buffered, never flushed");
      console.log("holding");
      setInterval(() => {}, 1000);`);
    await until(() => lines.includes("holding"), "the child to hold the lock");
    proc.kill("SIGKILL");
    await exited;
    const backend = await openFileBackend({ directory, lockTimeoutMs: 2000 });
    const q = backend.queue<string>("t");
    expect(await q.put("mine")).toBe(0);
    await q.flush();
    expect((await q.get()).map((e) => e.value)).toEqual(["mine"]);
    await backend.close();
  });

  it("a lock held by a hung (SIGSTOPped) process fails waiters with LOCKED until it is staleLockMs old, then is broken", async () => {
    const directory = freshDir();
    const { proc, lines, exited } = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)}, flushIntervalMs: 60000, batchSize: 100000 });
      await b.queue("t").put("buffered, never flushed");
      console.log("holding");
      setInterval(() => {}, 1000);`);
    try {
      await until(() => lines.includes("holding"), "the child to hold the lock");
      proc.kill("SIGSTOP");
      const impatient = await openFileBackend({ directory, lockTimeoutMs: 200 });
      const refused = await impatient
        .queue<string>("t")
        .put("too early")
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(refused).toBeInstanceOf(BackendError);
      expect((refused as BackendError).code).toBe("LOCKED");
      expect((refused as BackendError).retryable).toBe(true);
      await impatient.close();
      // The hung holder's own stamp: broken only once it is staleLockMs old, however long
      // the steps above took on a loaded machine.
      const [, heldSince] = readFileSync(join(directory, "queue", fileName("t"), "lock"), "utf8").split(" ");
      const patient = await openFileBackend({ directory, staleLockMs: 500, lockTimeoutMs: 5000 });
      const q = patient.queue<string>("t");
      expect(await q.put("mine")).toBe(0);
      expect(Date.now() - Number(heldSince)).toBeGreaterThanOrEqual(500);
      await q.flush();
      expect((await q.get()).map((e) => e.value)).toEqual(["mine"]);
      await patient.close();
    } finally {
      proc.kill("SIGKILL");
      await exited;
    }
  });

  it("keeps every acknowledged record and cache write when a writer is killed, compactions included", async () => {
    // 20 records and 5 cache keys rewritten over and over: both logs compact every ~1000
    // writes, so the kills land before, during and after compactions.
    const started = Date.now();
    for (let round = 0; round < 4 || (Date.now() - started < 3000 && round < 10); round++) {
      const directory = freshDir();
      const { proc, lines, exited } = child(`
        const b = await openFileBackend({ directory: ${JSON.stringify(directory)}, fsyncRecords: false });
        const r = b.records("r");
        const c = b.cache("c");
        console.log("-1");
        for (let i = 0; ; i++) {
          await r.store({ id: "id" + (i % 20), naturalKey: "k" + (i % 20), content: { i } });
          await c.set("k" + (i % 5), i);
          console.log(String(i));
        }`);
      await until(() => lines.length >= 1, "the child to start");
      await sleep(50 + Math.random() * 200);
      proc.kill("SIGKILL");
      await exited;
      const acked = Number(lines.at(-1));
      const backend = await openFileBackend({ directory });
      const records = backend.records("r");
      const cache = backend.cache<number>("c");
      // The process died, the page cache did not: every acknowledged write is there (or a
      // later one that was in flight), and the logs open clean.
      for (let id = 0; id < 20 && id <= acked; id++) {
        const lastAcked = acked - ((((acked - id) % 20) + 20) % 20);
        const record = await records.get(`id${id}`);
        expect(record?.content.i as number).toBeGreaterThanOrEqual(lastAcked);
      }
      for (let k = 0; k < 5 && k <= acked; k++) {
        const lastAcked = acked - ((((acked - k) % 5) + 5) % 5);
        expect(await cache.get(`k${k}`)).toBeGreaterThanOrEqual(lastAcked);
      }
      await records.store({ id: "after", naturalKey: "after", content: {} });
      expect((await records.get("after"))?.version).toBe(1);
      await backend.close();
    }
  });

  it("two processes incrementing one cache key give the exact count", async () => {
    const directory = freshDir();
    const script = `
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)} });
      const c = b.cache("counters");
      for (let i = 0; i < 200; i++) await c.increment("hits");
      await b.close();`;
    const children = [child(script), child(script)];
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes).toEqual([0, 0]);
    const backend = await openFileBackend({ directory });
    expect(await backend.cache("counters").get("hits")).toBe(400);
    await backend.close();
  });
});
