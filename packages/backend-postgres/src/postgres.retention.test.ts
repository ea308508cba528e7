import { waitFor } from "@core/conformance";
import type { Message } from "@core/protocols";
import { RETAINED_MESSAGES } from "@core/protocols/kit";
import { afterAll, describe, expect, test } from "vitest";
import { openPostgresBackend } from "./index.js";
import { admin, dropSchema, POSTGRES_URL, requireServer, testSchema } from "./postgres.fixture.js";

const schema = testSchema();
await requireServer();
afterAll(() => dropSchema(schema));

const open = () => openPostgresBackend({ connectionString: POSTGRES_URL, schema });

const batch = (from: number, n: number): Message[] =>
  Array.from({ length: n }, (_, i) => ({ id: `m${from + i}`, payload: from + i, headers: {}, publishedAt: 0 }));

// What the outbox holds for a channel: [count, lowest seq, highest seq].
async function kept(channel: string): Promise<[number, number, number]> {
  const { rows } = await admin(
    `SELECT count(*)::int AS n, min(seq)::int AS lo, max(seq)::int AS hi FROM "${schema}".transport_messages WHERE channel = $1`,
    [channel],
  );
  return [rows[0].n, rows[0].lo, rows[0].hi];
}

describe("postgres transport outbox retention", () => {
  test("send keeps the newest RETAINED_MESSAGES of a channel and trims the rest", async () => {
    const backend = await open();
    try {
      const bus = backend.transport();
      for (let i = 0; i < 3; i++) await bus.send("trimmed", batch(i * 500, 500));
      expect(await kept("trimmed")).toEqual([RETAINED_MESSAGES, 1500 - RETAINED_MESSAGES, 1499]);
      await bus.send("other", batch(0, 10));
      expect(await kept("trimmed")).toEqual([RETAINED_MESSAGES, 1500 - RETAINED_MESSAGES, 1499]);
      expect(await kept("other")).toEqual([10, 0, 9]);
    } finally {
      await backend.close();
    }
  });

  test("a group that has not caught up keeps its messages, and gets every one of them later", async () => {
    const backend = await open();
    try {
      const bus = backend.transport({ redeliveryDelayMs: 10 });
      // The group exists at position 0 but its member fails: nothing is delivered.
      let attempts = 0;
      const failing = await bus.subscribe(
        "lagging",
        () => {
          attempts++;
          throw new Error("not now");
        },
        { group: "slow" },
      );
      await bus.send("lagging", batch(0, 1));
      await waitFor(() => attempts > 0, 5000, "a failed delivery");
      await failing.unsubscribe();
      for (let i = 0; i < 3; i++) await bus.send("lagging", batch(1 + i * 500, 500));
      expect(await kept("lagging")).toEqual([1501, 0, 1500]);
      const seen: number[] = [];
      const member = await bus.subscribe("lagging", (m) => void seen.push(m.payload as number), { group: "slow" });
      await waitFor(() => seen.length === 1501, 10_000, "the group to catch up");
      expect(seen).toEqual(Array.from({ length: 1501 }, (_, i) => i));
      // Caught up: the next send trims down to the retained window.
      await bus.send("lagging", batch(1501, 1));
      expect(await kept("lagging")).toEqual([RETAINED_MESSAGES, 1502 - RETAINED_MESSAGES, 1501]);
      await member.unsubscribe();
    } finally {
      await backend.close();
    }
  });

  test("a plain subscriber of this backend that is behind keeps what it has not read", async () => {
    const backend = await open();
    try {
      const bus = backend.transport();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const seen: number[] = [];
      const sub = await bus.subscribe("plain", async (m) => {
        await gate;
        seen.push(m.payload as number);
      });
      for (let i = 0; i < 3; i++) await bus.send("plain", batch(i * 500, 500));
      expect(await kept("plain")).toEqual([1500, 0, 1499]);
      release();
      await waitFor(() => seen.length === 1500, 10_000, "the subscriber to catch up");
      expect(seen).toEqual(Array.from({ length: 1500 }, (_, i) => i));
      await sub.unsubscribe();
      // Unsubscribed: nothing holds the channel back any more.
      await bus.send("plain", batch(1500, 1));
      expect(await kept("plain")).toEqual([RETAINED_MESSAGES, 1501 - RETAINED_MESSAGES, 1500]);
    } finally {
      await backend.close();
    }
  });
});
