import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { type Child, child, sleep, until } from "./children.fixture.js";
import { openFileBackend } from "./index.js";
import { fileName } from "./names.js";

const root = mkdtempSync(join(tmpdir(), "backend-file-transport-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);

const outboxOf = (directory: string, channel: string) =>
  join(directory, "queue", fileName(`\u0001transport\u0000${channel}`));

function groupPosition(directory: string, channel: string, group: string): number | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(outboxOf(directory, channel), "meta.json"), "utf8"));
    return meta.groups[group];
  } catch {
    return undefined;
  }
}

function segmentBases(directory: string, channel: string): number[] {
  return readdirSync(outboxOf(directory, channel))
    .filter((f) => f.startsWith("seg-"))
    .map((f) => Number(f.slice(4, 20)))
    .sort((a, b) => a - b);
}

const message = (payload: number, idempotencyKey?: string): Message => ({
  id: `m${payload}-${Math.random().toString(36).slice(2)}`,
  payload,
  headers: {},
  publishedAt: Date.now(),
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
});

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const got = (c: Child) => c.lines.filter((l) => l.startsWith("got ")).map((l) => Number(l.slice(4)));

describe("file transport across processes", () => {
  it("delivers each message of a group to exactly one member across processes; a dead or hung holder is replaced", async () => {
    const directory = freshDir();
    const member = () =>
      child(`
        const b = await openFileBackend({ directory: ${JSON.stringify(directory)}, groupLeaseMs: 300, staleLockMs: 1000 });
        const bus = b.transport({ redeliveryDelayMs: 20 });
        await bus.subscribe("jobs", (m) => { console.log("got " + m.payload); }, { group: "workers" });
        console.log("ready");
        setInterval(() => {}, 1000);`);
    const members = [member(), member()];
    try {
      await until(() => members.every((c) => c.lines.includes("ready")), "both members to subscribe");
      // A member stopped by SIGSTOP may be inside its lease renewal, holding the channel's
      // lock: a live pid's lock is only broken once older than staleLockMs.
      const backend = await openFileBackend({ directory, groupLeaseMs: 300, staleLockMs: 1000 });
      const bus = backend.transport({ redeliveryDelayMs: 20 });
      const all = () => [...got(members[0] as Child), ...got(members[1] as Child)];
      try {
        for (let i = 0; i < 40; i += 5)
          await bus.send(
            "jobs",
            range(i, i + 5).map((p) => message(p)),
          );
        await until(() => groupPosition(directory, "jobs", "workers") === 40, "the group to handle 40");
        await sleep(50);
        expect(all().sort((a, b) => a - b)).toEqual(range(0, 40));

        // The holder dies: the other process takes the group over where it stopped.
        const [holder, other] = got(members[0] as Child).length > 0 ? members : [members[1], members[0]];
        holder?.proc.kill("SIGKILL");
        await holder?.exited;
        await bus.send(
          "jobs",
          range(40, 60).map((p) => message(p)),
        );
        await until(() => groupPosition(directory, "jobs", "workers") === 60, "the survivor to handle the rest");
        expect(got(other as Child).filter((p) => p >= 40)).toEqual(range(40, 60));

        // The survivor hangs (SIGSTOP): its lease expires and a member here takes over.
        const here: number[] = [];
        const sub = await bus.subscribe("jobs", (m) => void here.push(m.payload as number), { group: "workers" });
        other?.proc.kill("SIGSTOP");
        await bus.send(
          "jobs",
          range(60, 70).map((p) => message(p)),
        );
        await until(() => here.length >= 10, "this process to take the group over");
        expect(here).toEqual(range(60, 70));
        other?.proc.kill("SIGKILL");
        await sub.unsubscribe();
        expect([...all(), ...here].sort((a, b) => a - b)).toEqual(range(0, 70));
      } finally {
        await backend.close();
      }
    } finally {
      for (const c of members) c.proc.kill("SIGKILL");
    }
  });

  it("idempotency keys survive a sender killed at a random moment: re-sending stores each key once", async () => {
    const directory = freshDir();
    const sender = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)} });
      const bus = b.transport();
      for (let i = 0; ; i++) {
        await bus.send("keys", [{ id: "m" + i, payload: i, headers: {}, publishedAt: Date.now(), idempotencyKey: "k" + i }]);
        console.log(String(i));
      }`);
    await until(() => sender.lines.length >= 5, "some sends");
    await sleep(Math.random() * 30);
    sender.proc.kill("SIGKILL");
    await sender.exited;
    const last = Number(sender.lines.at(-1)) + 3;
    const backend = await openFileBackend({ directory });
    try {
      const bus = backend.transport();
      for (let i = 0; i <= last; i++) await bus.send("keys", [message(i, `k${i}`)]);
      const seen: number[] = [];
      const sub = await bus.subscribe("keys", (m) => void seen.push(m.payload as number), { fromStart: true });
      await until(() => seen.length >= last + 1, "every key");
      await sleep(50);
      await sub.unsubscribe();
      expect(seen).toEqual(range(0, last + 1));
    } finally {
      await backend.close();
    }
  });
});

describe("file transport outbox", () => {
  it("finds a key whose journal record was lost after its message was stored (crash between)", async () => {
    const directory = freshDir();
    const journal = join(directory, "transport", fileName("orders"), "log");
    let backend = await openFileBackend({ directory });
    await backend.transport().send("orders", [message(1, "k1")]);
    const before = statSync(journal).size;
    await backend.transport().send("orders", [message(2, "k2")]);
    await backend.close();
    truncateSync(journal, before); // the state a crash between the append and the journal leaves
    backend = await openFileBackend({ directory });
    try {
      const bus = backend.transport();
      await bus.send("orders", [message(20, "k2"), message(10, "k1"), message(3, "k3")]);
      const seen: number[] = [];
      const sub = await bus.subscribe("orders", (m) => void seen.push(m.payload as number), { fromStart: true });
      await until(() => seen.length >= 3, "the stored messages");
      await sleep(30);
      await sub.unsubscribe();
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      await backend.close();
    }
  });

  it("trims whole segments every group has passed, keeping the retention", async () => {
    const directory = freshDir();
    const backend = await openFileBackend({ directory, segmentBytes: 1024, outboxRetention: 10 });
    try {
      const bus = backend.transport({ redeliveryDelayMs: 10 });
      // Without groups, sends trim down to the retention.
      for (let i = 0; i < 100; i += 10)
        await bus.send(
          "plain",
          range(i, i + 10).map((p) => message(p)),
        );
      const plainBases = segmentBases(directory, "plain");
      expect(plainBases[0]).toBeGreaterThan(0);
      expect(plainBases[0]).toBeLessThanOrEqual(90);
      const kept: number[] = [];
      const reader = await bus.subscribe("plain", (m) => void kept.push(m.payload as number), { fromStart: true });
      await until(() => kept.at(-1) === 99, "the kept messages");
      await reader.unsubscribe();
      expect(kept).toEqual(range(kept[0] as number, 100));
      expect(kept.length).toBeGreaterThanOrEqual(10);

      // A group that has not handled its messages holds them.
      let failing = true;
      const handled: number[] = [];
      const sub = await bus.subscribe(
        "jobs",
        (m) => {
          if (failing) throw new Error("not yet");
          handled.push(m.payload as number);
        },
        { group: "slow" },
      );
      for (let i = 0; i < 100; i += 10)
        await bus.send(
          "jobs",
          range(i, i + 10).map((p) => message(p)),
        );
      expect(segmentBases(directory, "jobs")[0]).toBe(0);
      failing = false;
      await until(() => handled.length >= 100, "the group to catch up");
      await until(() => (segmentBases(directory, "jobs")[0] as number) > 0, "the outbox to be trimmed");
      expect(handled).toEqual(range(0, 100));
      const bases = segmentBases(directory, "jobs");
      expect(bases[0]).toBeLessThanOrEqual(90);
      expect(bases.length).toBeLessThan(5);
      await sub.unsubscribe();
    } finally {
      await backend.close();
    }
  });
});
