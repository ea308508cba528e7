import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultCodec } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { encodeRecords } from "./frames.js";
import { openFileBackend } from "./index.js";
import { fileName } from "./names.js";
import { encodeEntry, segmentName } from "./queue-segment.js";

// Files written by earlier versions of this backend (or by a writer of another version on
// the same directory) stay readable, and never read wrongly.
const root = mkdtempSync(join(tmpdir(), "backend-file-formats-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);

describe("file backend: earlier file formats", () => {
  it("replays a record journal whose writes are in the tagged codec, and adds compact ones", async () => {
    const directory = freshDir();
    const dir = join(directory, "records", fileName("feed"));
    mkdirSync(dir, { recursive: true });
    const at = new Date("2024-01-02T03:04:05.678Z");
    const old = { id: "a", naturalKey: "u:a", layer: "silver", content: { $: "not a tag", n: [1, "x"] } };
    const ops = [
      { r: { ...old, metadata: { m: true }, createdAt: at, updatedAt: at, version: 3 } },
      { r: { ...old, id: "b", naturalKey: "u:b", metadata: {}, createdAt: at, updatedAt: at, version: 1 } },
      { d: "b" },
    ];
    writeFileSync(join(dir, "log"), encodeRecords(ops.map((op) => Buffer.from(defaultCodec.encode(op), "utf8"))));
    let backend = await openFileBackend({ directory });
    let feed = backend.records("feed");
    expect(await feed.get("a")).toEqual({ ...old, metadata: { m: true }, createdAt: at, updatedAt: at, version: 3 });
    expect(await feed.get("b")).toBeNull();
    const stored = await feed.store({ id: "a", naturalKey: "u:a", content: { $: "still data" } });
    expect(stored.version).toBe(4);
    await backend.close();
    // The new write is the compact form; the whole log replays in a fresh view.
    expect(readFileSync(join(dir, "log")).includes(Buffer.from('R["a","u:a"'))).toBe(true);
    backend = await openFileBackend({ directory });
    feed = backend.records("feed");
    expect(await feed.get("a")).toEqual({ ...stored, content: { $: "still data" } });
    expect(await feed.getByNaturalKey("u:a")).toEqual(stored);
    await backend.close();
  });

  it("a reader sees a segment created by a writer that does not name it in meta.json", async () => {
    const directory = freshDir();
    const options = { directory, flushIntervalMs: 1 };
    const [a, b] = [await openFileBackend(options), await openFileBackend(options)];
    const qa = a.queue<string>("q");
    await b.queue<string>("q").putBatch(["x", "y"]);
    await b.queue<string>("q").flush();
    expect((await qa.get()).map((e) => e.value)).toEqual(["x", "y"]);
    // An older writer rotates: a new segment, and a meta.json without the `last` mark.
    const dir = join(directory, "queue", fileName("q"));
    const entries = ["z", "w"].map((v, i) => encodeEntry({ offset: 2 + i, timestamp: 1, text: JSON.stringify(v) }));
    writeFileSync(join(dir, segmentName(2)), encodeRecords(entries));
    writeFileSync(join(dir, "meta.tmp"), JSON.stringify({ first: 0, groups: {} }));
    renameSync(join(dir, "meta.tmp"), join(dir, "meta.json"));
    expect((await qa.get()).map((e) => e.value)).toEqual(["x", "y", "z", "w"]);
    expect(await qa.count()).toBe(4);
    // The next write here names the newest segment again.
    expect(await qa.put("v")).toBe(4);
    await qa.flush();
    expect(JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")).last).toBe(2);
    expect(readdirSync(dir).filter((f) => f.startsWith("seg-"))).toHaveLength(2);
    await a.close();
    await b.close();
  });
});
