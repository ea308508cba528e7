import type { Message } from "@core/protocols";
import { describe, expect } from "vitest";
import { freshName, sleep } from "../names.js";
import { expectCode, expectRejects, message, REDELIVERY_MS, type TransportHarness, transportTest } from "./harness.js";

/** Input validation, unsubscribe and close. */
export function registerLifecycleTests(h: TransportHarness): void {
  describe("validation and lifecycle", () => {
    transportTest(h, "rejects bad channel and group names and handlers with INVALID_ARGUMENT", async (bus) => {
      for (const channel of ["", "x".repeat(129), "a\nb", "tab\there", 42, null]) {
        await expectRejects(bus.send(channel as string, [message(1)]), "INVALID_ARGUMENT");
        await expectRejects(
          bus.subscribe(channel as string, () => {}),
          "INVALID_ARGUMENT",
        );
      }
      const channel = freshName("channel");
      for (const group of ["", "y".repeat(129), "g\u0000", 7]) {
        await expectRejects(
          bus.subscribe(channel, () => {}, { group: group as string }),
          "INVALID_ARGUMENT",
        );
      }
      await expectRejects(bus.subscribe(channel, "nope" as never), "INVALID_ARGUMENT");
    });

    transportTest(h, "rejects bad messages with INVALID_ARGUMENT before anything is sent", async (bus) => {
      const channel = freshName("channel");
      const inbox = await h.inbox(bus, channel);
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      const bad: unknown[] = [
        { ...message(1), id: "" },
        { ...message(1), id: 5 },
        { payload: 1, headers: {}, publishedAt: Date.now() },
        { ...message(1), headers: { n: 1 } },
        { ...message(1), headers: "h" },
        { ...message(1), publishedAt: Number.NaN },
        { ...message(1), idempotencyKey: "" },
        message(() => 1),
        message({ s: Symbol("s") }),
        message(cycle),
        "not a message",
        null,
      ];
      for (const item of bad) {
        await expectRejects(bus.send(channel, [message("valid"), item as Message]), "INVALID_ARGUMENT");
      }
      await expectRejects(bus.send(channel, "nope" as never), "INVALID_ARGUMENT");
      const sentinel = message("sentinel");
      await bus.send(channel, [sentinel]);
      await h.until(() => inbox.received.length >= 1, "the sentinel");
      // In-order delivery: anything written by a rejected batch would have come first.
      expect(inbox.ids()).toEqual([sentinel.id]);
    });

    transportTest(h, "an empty batch is accepted and sends nothing", async (bus) => {
      const channel = freshName("channel");
      const inbox = await h.inbox(bus, channel);
      await bus.send(channel, []);
      const sentinel = message("sentinel");
      await bus.send(channel, [sentinel]);
      await h.until(() => inbox.received.length >= 1, "the sentinel");
      expect(inbox.ids()).toEqual([sentinel.id]);
    });

    transportTest(h, "unsubscribe stops delivery, waits for the in-flight handler and is idempotent", async (bus) => {
      const channel = freshName("channel");
      const events: string[] = [];
      const slow = await bus.subscribe(channel, async (m) => {
        events.push(`start ${m.payload}`);
        await sleep(40);
        events.push(`end ${m.payload}`);
      });
      const sentinel = await h.inbox(bus, channel);
      await bus.send(channel, [message(1)]);
      await h.until(() => events.includes("start 1"), "the handler to start");
      await slow.unsubscribe();
      expect(events).toEqual(["start 1", "end 1"]);
      await slow.unsubscribe();
      const m2 = message(2);
      await bus.send(channel, [m2]);
      await h.until(() => sentinel.ids().includes(m2.id), "the sentinel subscriber to get the next message");
      await h.quiet();
      expect(events).toEqual(["start 1", "end 1"]);
    });

    transportTest(
      h,
      "transport.close() ends its subscriptions; later calls reject with CLOSED",
      async (bus, backend) => {
        const channel = freshName("channel");
        const closing = backend.transport({ redeliveryDelayMs: REDELIVERY_MS });
        const ended = await h.inbox(closing, channel);
        const alive = await h.inbox(bus, channel);
        await closing.close();
        await closing.close();
        const m = message(1);
        await bus.send(channel, [m]);
        await h.until(() => alive.received.length >= 1, "the other transport's subscriber");
        await h.quiet();
        expect(ended.received).toEqual([]);
        await expectRejects(closing.send(channel, [message(2)]), "CLOSED");
        await expectRejects(
          closing.subscribe(channel, () => {}),
          "CLOSED",
        );
      },
    );

    transportTest(h, "after the backend is closed every call rejects with CLOSED", async () => {
      const backend = h.own(await h.options.open());
      const bus = backend.transport({ redeliveryDelayMs: REDELIVERY_MS });
      const channel = freshName("channel");
      const sub = await bus.subscribe(channel, () => {});
      await backend.close();
      await expectRejects(bus.send(channel, [message(1)]), "CLOSED");
      await expectRejects(
        bus.subscribe(channel, () => {}),
        "CLOSED",
      );
      expectCode(() => backend.transport(), "CLOSED");
      await sub.unsubscribe();
      await bus.close();
    });
  });
}
