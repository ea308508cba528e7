import type { Backend, Message, Transport } from "@core/protocols";
import { describe, expect } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import { type Inbox, message, REDELIVERY_MS, type TransportHarness, transportTest } from "./harness.js";

const atLeastOnce = (bus: Transport) => bus.delivery === "at-least-once";

/** Redelivery, group positions, `fromStart`, restarts and other clients. */
export function registerDurabilityTests(h: TransportHarness): void {
  describe("durability", () => {
    for (const group of [undefined, "workers"]) {
      const who = group ? "a group member" : "a plain subscriber";
      transportTest(
        h,
        `a handler that throws: redelivered to ${who} when at-least-once, later messages never lost`,
        async (bus) => {
          const channel = freshName("channel");
          const sent = [message(1), message(2), message(3)];
          const flaky = sent[1] as Message;
          const inbox = await h.inbox(
            bus,
            channel,
            group ? { group } : {},
            (m, attempt) => m.id === flaky.id && attempt <= 2,
          );
          await bus.send(channel, sent);
          if (atLeastOnce(bus)) {
            await h.until(() => inbox.received.length >= 3, "3 handled messages");
            expect(inbox.ids()).toEqual(sent.map((m) => m.id));
            // Does not move past a failing message until it succeeds.
            expect(inbox.attempts.map((m) => m.payload)).toEqual([1, 2, 2, 2, 3]);
          } else {
            await h.until(() => inbox.received.length >= 2, "the messages around the failing one");
            expect(inbox.ids()).toEqual([sent[0]?.id, sent[2]?.id]);
          }
        },
      );
    }

    transportTest(
      h,
      "a group keeps its position across unsubscribe and gets what was sent meanwhile (at-least-once)",
      async (bus) => {
        const channel = freshName("channel");
        const first = await h.inbox(bus, channel, { group: "g" });
        const m1 = message(1);
        await bus.send(channel, [m1]);
        await h.until(() => first.received.length >= 1, "the first message");
        await first.subscription.unsubscribe();
        const meanwhile = [message(2), message(3)];
        await bus.send(channel, meanwhile);
        const second = await h.inbox(bus, channel, { group: "g" });
        const m4 = message(4);
        await bus.send(channel, [m4]);
        if (atLeastOnce(bus)) {
          await h.until(() => second.received.length >= 3, "the messages sent while away and the new one");
          expect(second.ids()).toEqual([...meanwhile, m4].map((m) => m.id));
        } else {
          await h.until(() => second.received.some((m) => m.id === m4.id), "the new message");
          expect(second.ids()).not.toContain(m1.id);
        }
        expect(first.ids()).toEqual([m1.id]);
      },
    );

    transportTest(h, "fromStart reads every kept message; without it a new group starts at new ones", async (bus) => {
      const channel = freshName("channel");
      const early = [message("e1"), message("e2")];
      await bus.send(channel, early);
      const plain = await h.inbox(bus, channel, { fromStart: true });
      const group = await h.inbox(bus, channel, { group: "from-start", fromStart: true });
      const fresh = await h.inbox(bus, channel, { group: "fresh" });
      const late = message("late");
      await bus.send(channel, [late]);
      await h.until(
        () => [plain, group, fresh].every((i) => i.received.some((m) => m.id === late.id)),
        "the late message everywhere",
      );
      const expected = atLeastOnce(bus) ? [...early, late].map((m) => m.id) : [late.id];
      expect(plain.ids()).toEqual(expected);
      expect(group.ids()).toEqual(expected);
      expect(fresh.ids()).toEqual([late.id]);
    });

    transportTest(h, "fromStart does not rewind an existing group", async (bus) => {
      const channel = freshName("channel");
      const first = await h.inbox(bus, channel, { group: "g" });
      const m1 = message(1);
      await bus.send(channel, [m1]);
      await h.until(() => first.received.length >= 1, "the first message");
      await first.subscription.unsubscribe();
      const again = await h.inbox(bus, channel, { group: "g", fromStart: true });
      const m2 = message(2);
      await bus.send(channel, [m2]);
      await h.until(() => again.received.length >= 1, "the second message");
      await h.quiet();
      expect(again.ids()).toEqual([m2.id]);
    });

    if (!h.caps.persistent && !h.caps.crossProcess) {
      transportTest(h, "a new client is a separate, empty world (neither persistent nor crossProcess)", async (bus) => {
        const channel = freshName("channel");
        await bus.send(channel, [message("old")]);
        const fresh = h.own(await h.options.open());
        const freshBus = h.ownTransport(fresh.transport({ redeliveryDelayMs: REDELIVERY_MS }));
        const inbox = await h.inbox(freshBus, channel, { group: "g", fromStart: true });
        const sentinel = message("new");
        await freshBus.send(channel, [sentinel]);
        await h.until(() => inbox.received.length >= 1, "the new client's message");
        expect(inbox.ids()).toEqual([sentinel.id]);
      });
    }

    describeCapability(h.caps.persistent, "persistent", () => registerRestartTest(h));
    describeCapability(h.caps.crossProcess, "crossProcess", () => registerOtherClientTest(h));
    if (!h.caps.crossProcess) {
      transportTest(h, "another client's messages never reach this one (no crossProcess)", async (bus) => {
        const channel = freshName("channel");
        const inbox = await h.inbox(bus, channel);
        const group = await h.inbox(bus, channel, { group: "g" });
        const other: Backend = h.own(await h.options.open());
        const otherBus = h.ownTransport(other.transport({ redeliveryDelayMs: REDELIVERY_MS }));
        await otherBus.send(channel, [message("remote")]);
        const local = message("local");
        await bus.send(channel, [local]);
        await h.until(() => inbox.received.length >= 1 && group.received.length >= 1, "the local message");
        await h.quiet();
        expect(inbox.ids()).toEqual([local.id]);
        expect(group.ids()).toEqual([local.id]);
      });
    }
  });
}

function registerRestartTest(h: TransportHarness): void {
  transportTest(h, "a restarted client's group continues where it left off (persistent)", async () => {
    const channel = freshName("channel");
    const first = await h.options.open();
    let firstInbox: Inbox;
    const m = [1, 2, 3, 4].map((n) => message(n));
    try {
      const firstBus = first.transport({ redeliveryDelayMs: REDELIVERY_MS });
      firstInbox = await h.inbox(firstBus, channel, { group: "g", fromStart: true });
      await firstBus.send(channel, [m[0] as Message, m[1] as Message]);
      await h.until(() => firstInbox.received.length >= 2, "the first two messages");
      await firstInbox.subscription.unsubscribe();
      await firstBus.send(channel, [m[2] as Message]);
    } finally {
      await first.close();
    }
    const second = h.own(await h.options.open());
    const secondBus = h.ownTransport(second.transport({ redeliveryDelayMs: REDELIVERY_MS }));
    const inbox = await h.inbox(secondBus, channel, { group: "g" });
    await secondBus.send(channel, [m[3] as Message]);
    await h.until(() => inbox.received.length >= 2, "the message sent before the restart and a new one");
    await h.quiet();
    expect(inbox.ids()).toEqual([m[2]?.id, m[3]?.id]);
  });
}

function registerOtherClientTest(h: TransportHarness): void {
  transportTest(h, "a message sent by another client reaches this one's subscribers (crossProcess)", async (bus) => {
    const channel = freshName("channel");
    const inbox = await h.inbox(bus, channel);
    const group = await h.inbox(bus, channel, { group: "g" });
    const other: Backend = h.own(await h.options.open());
    const otherBus = h.ownTransport(other.transport({ redeliveryDelayMs: REDELIVERY_MS }));
    const remote = message("remote");
    await otherBus.send(channel, [remote]);
    const local = message("local");
    await bus.send(channel, [local]);
    await h.until(() => inbox.received.length >= 2 && group.received.length >= 2, "both messages");
    expect(new Set(inbox.ids())).toEqual(new Set([remote.id, local.id]));
    expect(new Set(group.ids())).toEqual(new Set([remote.id, local.id]));
  });
}
