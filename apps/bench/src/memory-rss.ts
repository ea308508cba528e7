import { startChild } from "./child.js";
import type { Profile } from "./profile.js";
import type { Progress } from "./progress.js";
import type { BenchResult } from "./results.js";
import { type BackendName, openTarget, reason } from "./targets.js";
import { withTimeout } from "./timeout.js";

// Runs in a fresh `node --expose-gc`: RSS after a full GC, before and after the work.
const CHILD = `
const { mode, target, n } = JSON.parse(process.env.BENCH_CHILD);
const rss = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().rss; };
const out = {};
if (mode === "map") {
  const { defaultCodec } = await import("@core/protocols");
  const before = rss();
  const map = new Map();
  for (let i = 0; i < n; i++) map.set("k" + i, defaultCodec.encode({ i }));
  out.delta = rss() - before;
  out.size = map.size;
} else {
  const backend = await (await import(target.spec))[target.opener](target.options);
  if (mode === "cache") {
    const cache = backend.cache("rss");
    const before = rss();
    for (let from = 0; from < n; from += 1000)
      await cache.setMany(Array.from({ length: Math.min(1000, n - from) }, (_, j) => ({ key: "k" + (from + j), value: { i: from + j } })));
    out.delta = rss() - before;
  } else if (mode === "queue-hold") {
    const queue = backend.queue("rss");
    const before = rss();
    for (let from = 0; from < n; from += 1000)
      await queue.putBatch(Array.from({ length: Math.min(1000, n - from) }, (_, j) => ({ i: from + j })));
    await queue.flush();
    out.delta = rss() - before;
  } else if (mode === "records-hold") {
    // Three layers, a tag, a naturalKey and a title: a small record like the scaling section's.
    const records = backend.records("rss");
    const layers = ["bronze", "silver", "gold"];
    const before = rss();
    for (let from = 0; from < n; from += 1000)
      await records.storeBatch(Array.from({ length: Math.min(1000, n - from) }, (_, j) => {
        const i = from + j;
        return { id: "r" + String(i).padStart(9, "0"), naturalKey: "nk-" + i, layer: layers[i % 3], content: { tag: i % 100 ? "common" : "rare", i, title: "record number " + i } };
      }));
    out.delta = rss() - before;
  } else {
    const queue = backend.queue("rss");
    for (let from = 0; from < n; from += 1000)
      await queue.putBatch(Array.from({ length: Math.min(1000, n - from) }, (_, j) => ({ i: from + j })));
    await queue.flush();
    const before = rss();
    let peak = before, count = 0;
    for await (const entry of queue.stream({})) {
      if (++count % 1000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    out.delta = peak - before;
    out.count = count;
  }
  await backend.close();
}
process.stdout.write(JSON.stringify(out) + "\\n");
`;

const MB = 2 ** 20;

const perMillion = (bytes: number, n: number) => `${(((bytes / n) * 1_000_000) / MB).toFixed(0)} MB per million`;

function memoryFailure(operation: string, err: unknown): BenchResult {
  return {
    kind: "not-measured",
    backend: "memory",
    section: "memory",
    operation,
    reason: reason(err),
    byCapability: false,
  };
}

async function inChild(
  mode: string,
  target: unknown,
  n: number,
  ms: number,
): Promise<{ delta: number; count?: number }> {
  const child = startChild(CHILD, { mode, target, n });
  const text = await withTimeout(child.exited, ms, `the ${mode} child`).catch((err) => {
    child.kill();
    throw err;
  });
  return JSON.parse(text.trim().split("\n").pop()!) as { delta: number; count?: number };
}

/** Stream items per backend: the network backends get a fifth so the full run stays short. */
const streamItems = (name: BackendName, profile: Profile) =>
  name === "postgres" || name === "redis" ? Math.floor(profile.memoryItems / 5) : profile.memoryItems;

/**
 * RSS in child processes: the memory backend's cache (next to a `Map` of the codec's
 * text), queue and records each holding N small entries (reported per million), and a queue `stream` reading N entries on every backend (growth must
 * stay bounded, far below the data size).
 *
 * @example
 * ```ts
 * const results = await runMemory(makeProfile({ quick: true }), progress);
 * ```
 */
export async function runMemory(
  backends: readonly BackendName[],
  profile: Profile,
  progress: Progress,
): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const n = profile.memoryItems;
  const limit = profile.scenarioTimeoutMs * 5;
  if (backends.includes("memory")) {
    try {
      const target = await openTarget("memory", { raw: false });
      await target.close();
      const [ours, map] = [await inChild("cache", target.opener, n, limit), await inChild("map", null, n, limit)];
      out.push({
        kind: "memory",
        backend: "memory",
        scenario: "cache holding N small entries",
        items: n,
        rssDeltaBytes: ours.delta,
        baselineDeltaBytes: map.delta,
        note: `${perMillion(ours.delta, n)}; ${((ours.delta / n) | 0).toLocaleString("en-US")} B/entry vs Map ${((map.delta / n) | 0).toLocaleString("en-US")} B/entry`,
      });
    } catch (err) {
      out.push(memoryFailure("cache holding N entries", err));
    }
    progress.step("memory cache RSS");
    for (const [mode, scenario] of [
      ["queue-hold", "queue holding N small entries"],
      ["records-hold", "records holding N small records"],
    ] as const) {
      try {
        const target = await openTarget("memory", { raw: false });
        await target.close();
        const held = await inChild(mode, target.opener, n, limit);
        out.push({
          kind: "memory",
          backend: "memory",
          scenario,
          items: n,
          rssDeltaBytes: held.delta,
          note: `${perMillion(held.delta, n)}; ${((held.delta / n) | 0).toLocaleString("en-US")} B/entry`,
        });
      } catch (err) {
        out.push(memoryFailure(scenario, err));
      }
      progress.step(`memory ${scenario}`);
    }
  }
  for (const name of backends) {
    const items = streamItems(name, profile);
    const target = await openTarget(name, { raw: false });
    try {
      if (!target.backend) throw new Error(`backend could not be opened: ${target.error}`);
      if (!target.backend.capabilities.queue) {
        out.push({
          kind: "not-measured",
          backend: name,
          section: "memory",
          operation: "queue stream",
          reason: "capability queue is false",
          byCapability: true,
        });
      } else {
        // The child writes and reads on its own; an in-memory parent copy would be another world.
        await target.backend.close();
        const result = await inChild("stream", target.opener, items, limit);
        if (result.count !== items) throw new Error(`stream read ${result.count} of ${items} entries`);
        out.push({
          kind: "memory",
          backend: name,
          scenario: "queue stream reading N entries",
          items,
          rssDeltaBytes: result.delta,
          note: `peak growth ${(result.delta / MB).toFixed(1)} MB while reading ~${((items * 12) / MB).toFixed(1)} MB of encoded values`,
        });
      }
    } catch (err) {
      out.push({
        kind: "not-measured",
        backend: name,
        section: "memory",
        operation: "queue stream",
        reason: reason(err),
        byCapability: false,
      });
    } finally {
      await target.close();
    }
    progress.step(`${name} stream RSS`);
  }
  return out;
}
