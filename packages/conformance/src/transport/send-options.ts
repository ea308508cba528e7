import type { SendOptionName, SendOptions } from "@core/protocols";
import { SEND_OPTION_NAMES } from "@core/protocols/kit";
import { describe, expect } from "vitest";
import { freshName } from "../names.js";
import { expectRejects, message, type TransportHarness, transportTest } from "./harness.js";

/** A valid value of each send option, for the NOT_SUPPORTED path. */
const SAMPLE: Record<SendOptionName, SendOptions> = {
  delayMs: { delayMs: 10 },
  priority: { priority: 1 },
  key: { key: "k" },
};

/** The delay the honoured-path test asks for (ms); long enough to tell from an immediate delivery. */
const DELAY_MS = 300;

/**
 * Per-send options (`transport.send(channel, messages, options)`) and the send result: one
 * behaviour on every backend. Each option the transport lists in `sendOptions` is honoured
 * (delayMs: not delivered before its time, holding back later messages of the channel);
 * every other is NOT_SUPPORTED with nothing sent; `send` resolves with the transport's id
 * of each message, null for a dropped repeat of an idempotency key.
 */
export function registerSendOptionsTests(h: TransportHarness): void {
  describe("send options and results", () => {
    transportTest(h, "sendOptions names only known options; bad option values are INVALID_ARGUMENT", async (bus) => {
      expect(Array.isArray(bus.sendOptions)).toBe(true);
      for (const name of bus.sendOptions ?? []) expect(SEND_OPTION_NAMES).toContain(name);
      const channel = freshName("channel");
      for (const bad of [{ delayMs: -1 }, { delayMs: Number.NaN }, { priority: 1.5 }, { key: "" }, { delay: 5 }, "x"]) {
        await expectRejects(bus.send(channel, [message(1)], bad as never), "INVALID_ARGUMENT");
      }
    });

    transportTest(h, "an option the transport does not list is NOT_SUPPORTED and nothing is sent", async (bus) => {
      const channel = freshName("channel");
      const inbox = await h.inbox(bus, channel);
      const unsupported = SEND_OPTION_NAMES.filter((name) => !(bus.sendOptions ?? []).includes(name));
      // Channels are ordered logs: no built-in transport reorders by priority or partitions by key.
      expect(unsupported.length).toBeGreaterThan(0);
      for (const name of unsupported) {
        await expectRejects(bus.send(channel, [message(name)], SAMPLE[name]), "NOT_SUPPORTED");
      }
      const sentinel = message("sentinel");
      await bus.send(channel, [sentinel]);
      await h.until(() => inbox.received.length >= 1, "the sentinel");
      await h.quiet();
      expect(inbox.ids()).toEqual([sentinel.id]);
    });

    transportTest(
      h,
      "delayMs: not delivered before the delay (plain and group subscribers); later messages wait behind it",
      async (bus) => {
        const channel = freshName("channel");
        if (!(bus.sendOptions ?? []).includes("delayMs")) {
          await expectRejects(bus.send(channel, [message(1)], { delayMs: DELAY_MS }), "NOT_SUPPORTED");
          return;
        }
        const arrivals: [string, number][] = [];
        const timed = await bus.subscribe(channel, (m) => void arrivals.push([m.id, Date.now()]));
        const plain = await h.inbox(bus, channel);
        const group = await h.inbox(bus, channel, { group: "delayed" });
        const sentAt = Date.now();
        const delayed = message("later");
        try {
          await bus.send(channel, [delayed], { delayMs: DELAY_MS });
          const next = message("next");
          await bus.send(channel, [next], {});
          const all = () => arrivals.length >= 2 && plain.received.length >= 2 && group.received.length >= 2;
          await h.until(all, "both messages on every subscriber");
          expect(plain.ids()).toEqual([delayed.id, next.id]);
          expect(group.ids()).toEqual([delayed.id, next.id]);
          expect(arrivals.map(([id]) => id)).toEqual([delayed.id, next.id]);
          expect(plain.received[0]).toEqual(delayed);
        } finally {
          await timed.unsubscribe();
        }
        const at = new Map(arrivals);
        expect(at.get(delayed.id)).toBeGreaterThanOrEqual(sentAt + DELAY_MS);
      },
    );

    transportTest(
      h,
      "send resolves with the transport's id of each message, null for a repeated idempotency key",
      async (bus) => {
        const channel = freshName("channel");
        const key = freshName("key");
        const first = await bus.send(channel, [
          message(1),
          message(2, { idempotencyKey: key }),
          message(3, { idempotencyKey: key }),
        ]);
        expect(first?.ids).toHaveLength(3);
        const [a, b, repeat] = first?.ids ?? [];
        expect(typeof a).toBe("string");
        expect(typeof b).toBe("string");
        expect(a).not.toBe(b);
        expect(repeat).toBeNull();
        const again = await bus.send(channel, [message(4, { idempotencyKey: key }), message(5)]);
        expect(again?.ids[0]).toBeNull();
        expect(typeof again?.ids[1]).toBe("string");
        expect([a, b]).not.toContain(again?.ids[1]);
        expect(await bus.send(channel, [])).toEqual({ ids: [] });
      },
    );
  });
}
