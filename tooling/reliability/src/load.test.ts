import { waitFor } from "@core/conformance";
import type { Backend, Message } from "@core/protocols";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnWorker } from "./processes.js";
import { createTarget, PERSISTENT, type Target } from "./targets.js";

// Bounded so each backend takes a few seconds: 3 processes × N rounds of every write.
const PROCESSES = ["a", "b", "c"];
const N = 40;
const MESSAGES = 60;

for (const name of PERSISTENT) {
  describe(`load across ${PROCESSES.length} processes: ${name}`, () => {
    let target: Target;
    let backend: Backend;
    let results: { batches: number[]; wins: string[]; increments: number }[];

    beforeAll(async () => {
      target = await createTarget(name);
      backend = await target.open();
      const startAt = Date.now() + 800;
      const workers = PROCESSES.map((me) => spawnWorker(target, "hammer", { me, n: N, startAt }));
      const outputs = await Promise.all(workers.map((w) => w.done()));
      results = outputs.map((lines) => lines.find((l) => l.done) as unknown as (typeof results)[number]);
    }, 60_000);
    afterAll(async () => {
      await backend?.close();
      await target?.dispose();
    });

    it("concurrent increments from every process give the exact count", async () => {
      expect(results.reduce((sum, r) => sum + r.increments, 0)).toBe(PROCESSES.length * N);
      expect(await backend.cache("load-c").get("n")).toBe(PROCESSES.length * N);
    });

    it("concurrent putBatch calls get dense, contiguous, non-overlapping offsets", async () => {
      const queue = backend.queue("load-q");
      const total = PROCESSES.length * N * 3;
      expect(await queue.count()).toBe(total);
      const entries = await queue.get({ offset: 0, limit: total + 10 });
      expect(entries.map((e) => e.offset)).toEqual([...Array(total).keys()]);
      // Each acknowledged batch sits at its `first`, its three values in order.
      PROCESSES.forEach((me, w) => {
        (results[w] as (typeof results)[number]).batches.forEach((first, i) => {
          const values = entries.slice(first, first + 3).map((e) => e.value);
          expect(values).toEqual([`${me}:${i}:0`, `${me}:${i}:1`, `${me}:${i}:2`]);
        });
      });
    });

    it("recordSighting returns true exactly once per natural key across processes", async () => {
      const wins = results.flatMap((r) => r.wins).sort();
      expect(wins).toEqual([...Array(N).keys()].map((i) => `s-${i}`).sort());
      const sightings = await backend.records("load-r").getSightings("s-0");
      expect(sightings.map((s) => s.source).sort()).toEqual(PROCESSES);
    });

    it("no acknowledged record write is lost", async () => {
      const records = backend.records("load-r");
      expect(await records.count()).toBe(PROCESSES.length * N);
      for (const me of PROCESSES) {
        for (let i = 0; i < N; i++) expect((await records.get(`${me}-${i}`))?.content).toEqual({ me, i });
      }
    });

    // File groups are served by one process at a time (a lease, README › Limits): the
    // others stand by, so exactly-once must still hold.
    it("competing consumers in one group, one member in each of 3 processes: every message once, none twice after ack", async () => {
      const bus = backend.transport();
      const consumers = PROCESSES.map((me) => spawnWorker(target, "consume", { me, n: 1 }));
      try {
        await Promise.all(consumers.map((w) => w.until((l) => l.ready === true, "subscription ready")));
        const messages: Message[] = [...Array(MESSAGES).keys()].map((i) => ({
          id: `m${i}`,
          payload: { i },
          headers: {},
          publishedAt: Date.now(),
        }));
        for (let i = 0; i < MESSAGES; i += 10) await bus.send("load-ch", messages.slice(i, i + 10));
        const got = () => consumers.flatMap((w) => w.lines.filter((l) => typeof l.got === "string").map((l) => l.got));
        await waitFor(() => new Set(got()).size === MESSAGES, 20_000, `all ${MESSAGES} messages consumed`);
        for (const w of consumers) w.proc.stdin?.end();
        await Promise.all(consumers.map((w) => w.done()));
        const ids = got() as string[];
        expect(ids.length, "a message was delivered twice after its handler succeeded").toBe(MESSAGES);
        expect(new Set(ids).size).toBe(MESSAGES);
      } finally {
        for (const w of consumers) if (w.proc.exitCode === null) w.proc.kill("SIGKILL");
      }
    });
  });
}
