import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Backend, BackendError } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { DAMAGED_RECORD_WARNING, type DamagedRecord, openFileBackend } from "./index.js";
import { noise, TAIL_SUBJECTS, type TailSubject } from "./tail.fixture.js";

// The rule (README › Records on disk): after the last whole, checksummed record (or batch),
// a unit that cannot be complete is a torn tail, cut back on open whatever its length; a
// unit complete by its length header that fails its checksum is cut back too and reported
// (onDamagedRecord, default a CORE_FILE_DAMAGED_RECORD warning; stats().damagedRecords);
// damage before a valid record is CORRUPTION.
const root = mkdtempSync(join(tmpdir(), "backend-file-tail-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const SINGLES = ["a1", "b22", "c333"];
const BATCH = Array.from({ length: 40 }, (_, i) => `v${String(i).padStart(2, "0")}${"x".repeat(200 + i)}`);

/** Start positions of the whole units (records, batches) of a log, and its end. */
function units(bytes: Buffer): number[] {
  const starts: number[] = [];
  for (let at = 0; at < bytes.length; at += 12 + bytes.readUInt32LE(at)) starts.push(at);
  return [...starts, bytes.length];
}

interface Fixture {
  directory: string;
  file: string;
  pristine: Buffer;
  /** Unit starts, then the end. */
  bounds: number[];
  keys: string[];
}

async function fixture(subject: TailSubject, batch: boolean): Promise<Fixture> {
  const directory = join(root, `d${++n}`);
  const backend = await openFileBackend({ directory });
  await subject.writeEach(backend, SINGLES);
  if (batch) await subject.writeBatch(backend, BATCH);
  await backend.close();
  const file = subject.file(directory);
  const pristine = readFileSync(file);
  return { directory, file, pristine, bounds: units(pristine), keys: [...SINGLES, ...BATCH, "after"] };
}

interface Opened {
  backend: Backend;
  values: string[];
  reports: DamagedRecord[];
}

/** Puts `bytes` in the log, opens a fresh backend and reads every value. */
async function openWith(subject: TailSubject, f: Fixture, bytes: Buffer): Promise<Opened> {
  writeFileSync(f.file, bytes);
  const reports: DamagedRecord[] = [];
  const backend = await openFileBackend({ directory: f.directory, onDamagedRecord: (r) => void reports.push(r) });
  return { backend, values: await subject.read(backend, f.keys), reports };
}

/** A write (which cuts the tail in every store), then the counters and a fresh read. */
async function writeThenReread(subject: TailSubject, f: Fixture, opened: Opened) {
  await subject.writeEach(opened.backend, ["after"]);
  const counters = await subject.counters(opened.backend);
  await opened.backend.close();
  const again = await openFileBackend({ directory: f.directory });
  const values = await subject.read(again, f.keys);
  await again.close();
  return { counters, values, size: readFileSync(f.file).length };
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] as number) ^ 0x5a;
  return copy;
}

describe.each(TAIL_SUBJECTS)("file backend: damaged log tails ($kind)", (subject) => {
  it("garbage of every length from 1 to 300 bytes (and 1000, 4096, 65536) after the last record is cut back silently", async () => {
    const f = await fixture(subject, false);
    const lengths = [...Array.from({ length: 300 }, (_, i) => i + 1), 1000, 4096, 65536];
    for (const length of lengths) {
      const opened = await openWith(subject, f, Buffer.concat([f.pristine, noise(length, length)]));
      expect(opened.values, `${length} bytes of garbage`).toEqual(SINGLES);
      const after = await writeThenReread(subject, f, opened);
      expect(after.values).toEqual([...SINGLES, "after"]);
      expect(opened.reports).toEqual([]);
      if (after.counters) expect(after.counters).toEqual({ truncatedBytes: length, damagedRecords: 0 });
      // Cut back: the log is the pristine one plus the new write, nothing of the garbage.
      expect(readFileSync(f.file).subarray(0, f.pristine.length).equals(f.pristine)).toBe(true);
      writeFileSync(f.file, f.pristine);
    }
  });

  it("a last record cut short anywhere is a torn tail: cut back silently", async () => {
    const f = await fixture(subject, false);
    const last = f.bounds.at(-2) as number;
    for (let cut = last + 1; cut < f.pristine.length; cut++) {
      const opened = await openWith(subject, f, f.pristine.subarray(0, cut));
      expect(opened.values, `cut at ${cut}`).toEqual(SINGLES.slice(0, -1));
      const after = await writeThenReread(subject, f, opened);
      expect(after.values).toEqual([...SINGLES.slice(0, -1), "after"]);
      expect(opened.reports).toEqual([]);
      if (after.counters) expect(after.counters).toEqual({ truncatedBytes: cut - last, damagedRecords: 0 });
    }
  });

  it("a flipped byte anywhere in the last record drops it and reports it once", async () => {
    const f = await fixture(subject, false);
    const last = f.bounds.at(-2) as number;
    for (let at = last; at < f.pristine.length; at++) {
      const opened = await openWith(subject, f, flip(f.pristine, at));
      expect(opened.values, `flipped byte ${at}`).toEqual(SINGLES.slice(0, -1));
      const after = await writeThenReread(subject, f, opened);
      expect(after.values).toEqual([...SINGLES.slice(0, -1), "after"]);
      const bytes = f.pristine.length - last;
      expect(opened.reports).toEqual([{ store: expect.any(String), file: f.file, position: last, bytes }]);
      if (after.counters) expect(after.counters).toEqual({ truncatedBytes: bytes, damagedRecords: 1 });
    }
  });

  it("a flipped byte anywhere in an earlier record is CORRUPTION, never a silent cut", async () => {
    const f = await fixture(subject, false);
    const last = f.bounds.at(-2) as number;
    for (let at = 0; at < last; at++) {
      writeFileSync(f.file, flip(f.pristine, at));
      const backend = await openFileBackend({ directory: f.directory });
      const error = await subject.read(backend, f.keys).catch((err: unknown) => err);
      expect(BackendError.is(error, "CORRUPTION"), `flipped byte ${at}: ${String(error)}`).toBe(true);
      await backend.close();
      // Nothing was cut: the damaged log is still all there for a repair.
      expect(readFileSync(f.file).length).toBe(f.pristine.length);
    }
  });

  it("a batch cut short at any page (or anywhere) is dropped whole; a damaged one is dropped whole and reported", async () => {
    const f = await fixture(subject, true);
    const start = f.bounds.at(-2) as number;
    expect(f.bounds).toHaveLength(SINGLES.length + 2); // the batch is one unit
    const cuts = new Set<number>();
    for (let page = 4096; page < f.pristine.length; page += 4096) if (page > start) cuts.add(page);
    for (let cut = start + 1; cut < f.pristine.length; cut += 331) cuts.add(cut);
    for (const cut of cuts) {
      const opened = await openWith(subject, f, f.pristine.subarray(0, cut));
      expect(opened.values, `cut at ${cut}`).toEqual(SINGLES);
      await opened.backend.close();
    }
    // Every byte of the batch header, then bytes spread over its records.
    const flips = Array.from({ length: 12 }, (_, i) => start + i);
    for (let at = start + 12; at < f.pristine.length; at += 211) flips.push(at);
    for (const at of flips) {
      const opened = await openWith(subject, f, flip(f.pristine, at));
      expect(opened.values, `flipped byte ${at}`).toEqual(SINGLES);
      const after = await writeThenReread(subject, f, opened);
      expect(after.values).toEqual([...SINGLES, "after"]);
      expect(opened.reports).toEqual([expect.objectContaining({ position: start, bytes: f.pristine.length - start })]);
    }
    const opened = await openWith(subject, f, Buffer.concat([f.pristine, noise(500, 3)]));
    expect(opened.values).toEqual([...SINGLES, ...BATCH]);
    await opened.backend.close();
  });
});

describe("file backend: damaged record warning", () => {
  it("without onDamagedRecord, a damaged last record is a process warning with a stable code", async () => {
    const subject = TAIL_SUBJECTS[0] as TailSubject;
    const f = await fixture(subject, false);
    const warnings: Error[] = [];
    const listen = (w: Error) => void warnings.push(w);
    process.on("warning", listen);
    try {
      writeFileSync(f.file, flip(f.pristine, f.pristine.length - 1));
      const backend = await openFileBackend({ directory: f.directory });
      expect(await subject.read(backend, f.keys)).toEqual(SINGLES.slice(0, -1));
      await backend.close();
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on next tick
    } finally {
      process.off("warning", listen);
    }
    const mine = warnings.filter((w) => (w as { code?: string }).code === DAMAGED_RECORD_WARNING);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.message).toMatch(/^\[file\] queue "t" seg-0{16}\.log: the last record of .* fails its checksum/);
  });

  it("onDamagedRecord must be a function", async () => {
    const error = await openFileBackend({ directory: join(root, "x"), onDamagedRecord: 1 as never }).catch(
      (err: unknown) => err,
    );
    expect(BackendError.is(error, "INVALID_ARGUMENT")).toBe(true);
  });
});
