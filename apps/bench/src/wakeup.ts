import type { Backend } from "@core/protocols";
import { startChild } from "./child.js";
import { percentile } from "./measure.js";
import type { Profile } from "./profile.js";
import type { Progress } from "./progress.js";
import type { BenchResult, WakeupResult } from "./results.js";
import { type BackendName, openTarget, reason } from "./targets.js";
import { withTimeout } from "./timeout.js";

// A writer in another process: on each "go" line it appends its wall-clock send time.
const WRITER = `
import { createInterface } from "node:readline";
const { target } = JSON.parse(process.env.BENCH_CHILD);
const backend = await (await import(target.spec))[target.opener](target.options);
const queue = backend.queue("wake");
process.stdout.write("ready\\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "end") break;
  await queue.put({ t: performance.timeOrigin + performance.now() });
  await queue.flush();
}
await backend.close();
process.exit(0);
`;

const WAKE_TIMEOUT_MS = 5_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summarise(backend: string, mode: WakeupResult["mode"], ms: number[]): WakeupResult {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    kind: "wakeup",
    backend,
    mode,
    samples: ms.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
  };
}

/**
 * Reads `count` entries with a blocked `stream`, calling `write()` each time the reader is
 * waiting (a short pause lets it block), and returns writer → reader latencies in ms
 * computed from the wall-clock send time stored in each value.
 */
async function measure(backend: Backend, count: number, write: () => Promise<void>): Promise<number[]> {
  const queue = backend.queue<{ t: number }>("wake");
  const abort = new AbortController();
  const reader = queue
    .stream({ offset: await queue.count(), block: true, signal: abort.signal })
    [Symbol.asyncIterator]();
  const latencies: number[] = [];
  try {
    for (let k = 0; k < count; k++) {
      const next = reader.next();
      await pause(3);
      await write();
      const { value, done } = await withTimeout(next, WAKE_TIMEOUT_MS, "a blocked stream wake-up");
      if (done) throw new Error("the blocked stream ended early");
      latencies.push(performance.timeOrigin + performance.now() - value.value.t);
    }
  } finally {
    abort.abort();
    await withTimeout(Promise.resolve(reader.return?.()), WAKE_TIMEOUT_MS, "ending the blocked stream").catch(() => {});
  }
  return latencies;
}

/**
 * Stream wake-up latency writer → blocked reader, in the same process and (for
 * cross-process backends) from a writer in a child process.
 *
 * @example
 * ```ts
 * const results = await runWakeup("redis", makeProfile({ quick: true }), progress);
 * ```
 */
export async function runWakeup(name: BackendName, profile: Profile, progress: Progress): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const target = await openTarget(name, { raw: false });
  const base = { kind: "not-measured" as const, backend: name, section: "wakeup" as const };
  try {
    const backend = target.backend;
    if (!backend) {
      const why = `backend could not be opened: ${target.error}`;
      out.push({ ...base, operation: "same process", reason: why, byCapability: false });
      out.push({ ...base, operation: "across processes", reason: why, byCapability: false });
      progress.step(`${name} wake-up (not opened)`);
      progress.step(`${name} wake-up (not opened)`);
      return out;
    }
    const blocking = backend.capabilities.queue && backend.capabilities.blockingStream;
    if (!blocking) {
      out.push({
        ...base,
        operation: "same process",
        reason: "capability blockingStream is false",
        byCapability: true,
      });
    } else {
      try {
        const queue = backend.queue<{ t: number }>("wake");
        out.push(
          summarise(
            name,
            "same process",
            await measure(
              backend,
              profile.wakeups,
              async () => void (await queue.put({ t: performance.timeOrigin + performance.now() })),
            ),
          ),
        );
      } catch (err) {
        out.push({ ...base, operation: "same process", reason: reason(err), byCapability: false });
      }
    }
    progress.step(`${name} wake-up same process`);
    if (!blocking || !backend.capabilities.crossProcess) {
      const missing = blocking ? "crossProcess" : "blockingStream";
      out.push({
        ...base,
        operation: "across processes",
        reason: `capability ${missing} is false`,
        byCapability: true,
      });
    } else {
      const child = startChild(WRITER, { target: target.opener });
      try {
        if ((await withTimeout(child.nextLine(), WAKE_TIMEOUT_MS * 2, "starting the writer process")) !== "ready")
          throw new Error("writer did not start");
        const result = summarise(
          name,
          "across processes",
          await measure(backend, profile.wakeups, async () => child.send("go")),
        );
        child.send("end");
        // The numbers are in; a writer slow to exit is ended rather than failing the row.
        await withTimeout(child.exited, WAKE_TIMEOUT_MS * 2, "the writer process exit").catch(() => child.kill());
        out.push(result);
      } catch (err) {
        child.kill();
        out.push({ ...base, operation: "across processes", reason: reason(err), byCapability: false });
      }
    }
    progress.step(`${name} wake-up across processes`);
    return out;
  } finally {
    await target.close();
  }
}
