import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sleep, waitFor } from "@core/conformance";
import type { Backend } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { endsMidFrame, fileLogs } from "./file-frames.js";
import { type BackendName, createTarget, packageEntry, type Target } from "./targets.js";

// A writer killed (SIGKILL) while it writes large batches leaves every batch all there or
// absent: records `storeBatch`, queue `putBatch` (+ flush), cache `setMany`. Redis keeps
// nothing on disk here, but a killed client must still leave each batch whole on the server.
// Rounds per backend (the file backend, whose rounds are the cheapest and the only ones that
// can tell a kill mid-write, runs five times as many). More: REL_BATCH_ROUNDS=100 pnpm
// --filter @core/reliability test batch-crash
const ROUNDS = Number(process.env.REL_BATCH_ROUNDS ?? 6);
/** Items per batch, ~4 KB each: a batch spans hundreds of pages. */
const N = 300;
const KINDS = ["records", "queue", "cache"] as const;
type Kind = (typeof KINDS)[number];
const BACKENDS: readonly BackendName[] = ["file", "sqlite", "postgres", "redis"];
const WORKER = fileURLToPath(new URL("../dist/batch-worker.js", import.meta.url));

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

type Line = { writing?: Kind; acked?: Kind; batch?: number; error?: string };

function spawnBatchWriter(target: Target, store: string): { proc: ChildProcess; lines: Line[]; err: () => string } {
  if (!existsSync(WORKER)) {
    throw new Error(`build the harness first (pnpm --filter @core/reliability build): ${WORKER} is missing`);
  }
  const spec = { entry: packageEntry(target.name), ...target.spec };
  const proc = spawn(process.execPath, [WORKER], {
    env: { ...process.env, REL_SPEC: JSON.stringify(spec), REL_STORE: store, REL_N: String(N) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Line[] = [];
  let buffer = "";
  let err = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Line);
  });
  proc.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  return { proc, lines, err: () => err };
}

/** Per kind: the batches started and the batches acknowledged before the kill. */
function progress(lines: readonly Line[], kind: Kind): { started: number; acked: Set<number> } {
  let started = -1;
  const acked = new Set<number>();
  for (const l of lines) {
    if (l.writing === kind) started = Math.max(started, l.batch ?? -1);
    if (l.acked === kind) acked.add(l.batch ?? -1);
  }
  return { started, acked };
}

/** How many items of each batch `0..started` are stored, per kind. */
async function storedPerBatch(backend: Backend, store: string, kind: Kind, started: number): Promise<number[]> {
  const out: number[] = [];
  if (kind === "records") {
    const records = backend.records(store);
    for (let b = 0; b <= started + 1; b++) out.push(await records.count({ where: { "content.batch": b } }));
  } else if (kind === "queue") {
    const queue = backend.queue<{ batch: number; j: number }>(store);
    const entries = [];
    for await (const e of queue.stream({ offset: 0 })) entries.push(e);
    // Dense from 0. (Not compared with count(): a server may still commit the killed
    // client's last batch between two reads — whole, but later.)
    expect(entries.map((e) => e.offset)).toEqual([...Array(entries.length).keys()]);
    for (let b = 0; b <= started + 1; b++) {
      const mine = entries.filter((e) => e.value.batch === b);
      // A batch is contiguous, in order.
      expect(mine.map((e) => e.value.j)).toEqual([...Array(mine.length).keys()]);
      if (mine.length > 0) expect((mine.at(-1)?.offset ?? 0) - (mine[0]?.offset ?? 0)).toBe(mine.length - 1);
      out.push(mine.length);
    }
    expect(entries.length).toBe(out.reduce((a, c) => a + c, 0));
  } else {
    const cache = backend.cache<{ batch: number; j: number }>(store);
    for (let b = 0; b <= started + 1; b++) {
      const values = await cache.getMany(Array.from({ length: N }, (_, j) => `${b}-${j}`));
      expect(values.every((v, j) => v === undefined || (v.batch === b && v.j === j))).toBe(true);
      out.push(values.filter((v) => v !== undefined).length);
    }
  }
  return out;
}

describe("crash: SIGKILL of a writer in the middle of large batches", () => {
  for (const name of BACKENDS) {
    it(
      `${name}: after every kill each storeBatch, putBatch and setMany is all there or absent`,
      async () => {
        const target = await createTarget(name);
        cleanups.push(() => target.dispose());
        const tally = { rounds: 0, midWrite: 0, whole: 0, absent: 0 };
        const rounds = name === "file" ? ROUNDS * 5 : ROUNDS;
        for (let round = 0; round < rounds; round++) {
          const store = `batch-${round}`;
          const kind = KINDS[round % KINDS.length] as Kind;
          const writer = spawnBatchWriter(target, store);
          const exited = new Promise((resolve) => writer.proc.on("exit", resolve));
          // Kill while a batch of `kind` (not the first) is on its way, at a random moment of it.
          await waitFor(
            () => {
              if (writer.lines.some((l) => l.error !== undefined)) throw new Error(JSON.stringify(writer.lines.at(-1)));
              return writer.lines.some((l) => l.writing === kind && (l.batch ?? 0) >= 1);
            },
            30_000,
            `a second ${kind} batch (stderr: ${writer.err()})`,
          );
          await sleep(Math.random() * 20);
          writer.proc.kill("SIGKILL");
          await exited;
          if (target.path !== undefined) {
            // The file backend: did the kill cut a write short? (Recovery must drop that batch.)
            const torn = endsMidFrame(fileLogs(target.path, store)[kind]);
            if (torn) tally.midWrite++;
          }
          const backend = await target.open();
          try {
            for (const k of KINDS) {
              const { started, acked } = progress(writer.lines, k);
              const stored = await storedPerBatch(backend, store, k, started);
              stored.forEach((count, b) => {
                expect([0, N], `${name} round ${round}: ${k} batch ${b} has ${count} of ${N}`).toContain(count);
                if (acked.has(b)) expect(count, `${k} batch ${b} was acknowledged`).toBe(N);
                if (k === kind && b === started) tally[count === N ? "whole" : "absent"]++;
              });
            }
            // The store opens clean and takes writes at once.
            await backend.records(store).store({ id: "after", naturalKey: "after", content: {} });
            await backend.queue(store).put({ batch: -1, j: 0 });
            await backend.queue(store).flush();
          } finally {
            await backend.close();
          }
          tally.rounds++;
        }
        expect(tally.rounds).toBe(rounds);
        console.log(`[batch-crash] ${name}: ${JSON.stringify(tally)}`);
      },
      60_000 + ROUNDS * (name === "file" ? 5 : 1) * 3_000,
    );
  }
});
