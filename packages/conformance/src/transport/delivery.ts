import type { Message } from "@core/protocols";
import { describe, expect } from "vitest";
import { freshName } from "../names.js";
import { message, REDELIVERY_MS, type TransportHarness, transportTest } from "./harness.js";

/** Ordering, round-trip, fan-out to subscribers, groups and idempotency. */
export function registerDeliveryTests(h: TransportHarness): void {
  describe("delivery", () => {
    transportTest(h, "transport() exists exactly when capabilities.transport says so", async (bus, backend) => {
      expect(typeof bus.send).toBe("function");
      expect(typeof bus.subscribe).toBe("function");
      expect(bus.name).toBe(backend.name);
      expect(bus.delivery).toBe(backend.capabilities.delivery);
    });

    transportTest(h, "delivers every message to a subscriber in send order", async (bus) => {
      const channel = freshName("channel");
      const inbox = await h.inbox(bus, channel);
      const batches = [[message(0)], [1, 2, 3, 4, 5].map((n) => message(n)), [6, 7, 8, 9].map((n) => message(n))];
      for (const batch of batches) await bus.send(channel, batch);
      await h.until(() => inbox.received.length >= 10, "10 messages");
      expect(inbox.received.map((m) => m.payload)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(inbox.ids()).toEqual(batches.flat().map((m) => m.id));
    });

    transportTest(h, "runs handlers outside send's call stack", async (bus) => {
      const channel = freshName("channel");
      let insideSend = false;
      const seen: boolean[] = [];
      const sub = await bus.subscribe(channel, () => {
        seen.push(insideSend);
      });
      insideSend = true;
      const sending = bus.send(channel, [message(1)]);
      insideSend = false;
      await sending;
      await h.until(() => seen.length === 1, "the delivery");
      expect(seen).toEqual([false]);
      await sub.unsubscribe();
    });

    transportTest(h, "round-trips id, payload, headers, publishedAt and idempotencyKey exactly", async (bus) => {
      const channel = freshName("channel");
      const inbox = await h.inbox(bus, channel);
      const payload = {
        at: new Date(1_700_000_000_123),
        big: 2n ** 70n,
        bytes: new Uint8Array([0, 1, 254, 255]),
        map: new Map<unknown, unknown>([["k", new Set([1, "x"])]]),
        set: new Set(["a", "b"]),
        nested: { list: [0, "", false, null, 1.5, "ünïcødé ✓"] },
      };
      const sent = [
        message(payload, { headers: { "x-trace": "abc", "unicode ✓": "é\nline" }, idempotencyKey: freshName("key") }),
        message(0),
        message(""),
        message(null),
        message([false]),
      ];
      await bus.send(channel, sent);
      await h.until(() => inbox.received.length >= sent.length, "every message");
      expect(inbox.received).toEqual(sent);
      expect(inbox.received[0]?.payload).toEqual(payload);
      expect((inbox.received[0] as Message).payload).toMatchObject({ bytes: expect.any(Uint8Array) });
    });

    transportTest(h, "every plain subscriber gets every message, in order", async (bus) => {
      const channel = freshName("channel");
      const inboxes = [await h.inbox(bus, channel), await h.inbox(bus, channel), await h.inbox(bus, channel)];
      const sent = [1, 2, 3, 4, 5].map((n) => message(n));
      await bus.send(channel, sent);
      await h.until(() => inboxes.every((i) => i.received.length >= 5), "5 messages for each subscriber");
      for (const inbox of inboxes) expect(inbox.ids()).toEqual(sent.map((m) => m.id));
    });

    transportTest(h, "a plain subscription starts at messages sent after it started", async (bus) => {
      const channel = freshName("channel");
      await bus.send(channel, [message("before")]);
      const inbox = await h.inbox(bus, channel);
      await bus.send(channel, [message("after")]);
      await h.until(() => inbox.received.length >= 1, "the later message");
      await h.quiet();
      expect(inbox.received.map((m) => m.payload)).toEqual(["after"]);
    });

    transportTest(h, "transports of one backend share channels", async (bus, backend) => {
      const channel = freshName("channel");
      const other = h.ownTransport(backend.transport({ redeliveryDelayMs: REDELIVERY_MS }));
      const inbox = await h.inbox(bus, channel);
      const sent = message("across");
      await other.send(channel, [sent]);
      await h.until(() => inbox.received.length >= 1, "the message");
      expect(inbox.ids()).toEqual([sent.id]);
    });

    transportTest(h, "a group's subscribers compete: each message reaches exactly one of them", async (bus) => {
      const channel = freshName("channel");
      const a = await h.inbox(bus, channel, { group: "workers" });
      const b = await h.inbox(bus, channel, { group: "workers" });
      const sent = Array.from({ length: 20 }, (_, n) => message(n));
      for (let i = 0; i < sent.length; i += 5) await bus.send(channel, sent.slice(i, i + 5));
      await h.until(() => a.received.length + b.received.length >= 20, "20 messages across the group");
      await h.quiet();
      const all = [...a.ids(), ...b.ids()];
      expect(all).toHaveLength(20);
      expect(new Set(all)).toEqual(new Set(sent.map((m) => m.id)));
      // Each member still sees its share in send order.
      for (const inbox of [a, b]) {
        const order = inbox.received.map((m) => m.payload as number);
        expect(order).toEqual([...order].sort((x, y) => x - y));
      }
    });

    transportTest(h, "two groups and a plain subscriber each get every message", async (bus) => {
      const channel = freshName("channel");
      const g1 = await h.inbox(bus, channel, { group: "g1" });
      const g2a = await h.inbox(bus, channel, { group: "g2" });
      const g2b = await h.inbox(bus, channel, { group: "g2" });
      const plain = await h.inbox(bus, channel);
      const sent = Array.from({ length: 10 }, (_, n) => message(n));
      await bus.send(channel, sent);
      const ids = sent.map((m) => m.id);
      await h.until(
        () =>
          g1.received.length >= 10 && g2a.received.length + g2b.received.length >= 10 && plain.received.length >= 10,
        "every message in each group and the plain subscriber",
      );
      await h.quiet();
      expect(g1.ids()).toEqual(ids);
      expect(plain.ids()).toEqual(ids);
      expect([...g2a.ids(), ...g2b.ids()].sort()).toEqual([...ids].sort());
    });

    transportTest(h, "a new group starts at messages sent after it was created", async (bus) => {
      const channel = freshName("channel");
      await bus.send(channel, [message("before")]);
      const inbox = await h.inbox(bus, channel, { group: "late" });
      await bus.send(channel, [message("after")]);
      await h.until(() => inbox.received.length >= 1, "the later message");
      await h.quiet();
      expect(inbox.received.map((m) => m.payload)).toEqual(["after"]);
    });

    transportTest(h, "drops a message whose idempotencyKey was already sent on the channel", async (bus) => {
      const channel = freshName("channel");
      const inbox = await h.inbox(bus, channel);
      const key = freshName("key");
      const first = message(1, { idempotencyKey: key });
      await bus.send(channel, [first]);
      await bus.send(channel, [message(2, { idempotencyKey: key })]);
      const plain = message(3);
      const other = message(4, { idempotencyKey: `${key}-other` });
      await bus.send(channel, [plain, other, message(5, { idempotencyKey: `${key}-other` })]);
      const last = message(6);
      await bus.send(channel, [last]);
      await h.until(() => inbox.received.some((m) => m.id === last.id), "the last message");
      // Delivery is in order, so a repeat would have arrived before the last message.
      expect(inbox.ids()).toEqual([first.id, plain.id, other.id, last.id]);
    });

    transportTest(h, "the same idempotencyKey on another channel is a different message", async (bus) => {
      const c1 = freshName("channel");
      const c2 = freshName("channel");
      const i2 = await h.inbox(bus, c2);
      const key = freshName("key");
      await bus.send(c1, [message(1, { idempotencyKey: key })]);
      const sent = message(2, { idempotencyKey: key });
      await bus.send(c2, [sent]);
      await h.until(() => i2.received.length >= 1, "the message on the second channel");
      expect(i2.ids()).toEqual([sent.id]);
    });

    transportTest(h, "channels are isolated", async (bus) => {
      const c1 = freshName("channel");
      const c2 = freshName("channel");
      const i1 = await h.inbox(bus, c1);
      const i2 = await h.inbox(bus, c2, { group: "g" });
      const to2 = message("two");
      const to1 = message("one");
      await bus.send(c2, [to2]);
      await bus.send(c1, [to1]);
      await h.until(() => i1.received.length >= 1 && i2.received.length >= 1, "one message on each channel");
      await h.quiet();
      expect(i1.ids()).toEqual([to1.id]);
      expect(i2.ids()).toEqual([to2.id]);
    });
  });
}
