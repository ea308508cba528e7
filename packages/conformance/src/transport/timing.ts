import { describe, expect } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName, sleep } from "../names.js";
import { message, REDELIVERY_MS, type TransportHarness, transportTest } from "./harness.js";

/** A dedup window short enough to wait out, long enough to hold across one send. */
const WINDOW_MS = 300;

/**
 * Windows and delays given as options, and leaving at awkward moments: an idempotency key
 * is forgotten once `dedupWindowMs` has passed (asserted only after the clock says so), a
 * group member that leaves while retrying a failing message hands it to the group, and
 * `unsubscribe()` during a long redelivery delay does not wait the delay out.
 *
 * @example
 * ```ts
 * registerTimingTests(h);
 * ```
 */
export function registerTimingTests(h: TransportHarness): void {
  describe("windows, delays and leaving", () => {
    transportTest(h, "an idempotencyKey is delivered again once dedupWindowMs has passed", async (_bus, backend) => {
      const bus = h.ownTransport(backend.transport({ redeliveryDelayMs: REDELIVERY_MS, dedupWindowMs: WINDOW_MS }));
      const channel = freshName("channel");
      const inbox = await h.inbox(bus, channel);
      const first = message(1, { idempotencyKey: "k" });
      await bus.send(channel, [first]);
      // Measured once send is acknowledged: the key's window started no later than this.
      const sentAt = Date.now();
      await h.until(() => inbox.received.length >= 1, "the first keyed message");
      const due = sentAt + WINDOW_MS + 100;
      while (Date.now() <= due) await sleep(due - Date.now() + 1);
      const again = message(2, { idempotencyKey: "k" });
      await bus.send(channel, [again]);
      await h.until(() => inbox.ids().includes(again.id), "the key to be accepted again after its window");
      expect(inbox.ids()).toEqual([first.id, again.id]);
    });

    describeCapability(h.caps.delivery === "at-least-once", "at-least-once delivery", () => {
      transportTest(h, "a group member that leaves while retrying a message hands it to the group", async (bus) => {
        expect(bus.delivery).toBe("at-least-once");
        const channel = freshName("channel");
        const leaving = await h.inbox(bus, channel, { group: "g" }, () => true);
        const m = message("hot potato");
        await bus.send(channel, [m]);
        await h.until(() => leaving.attempts.length >= 2, "the failing message to be retried");
        await leaving.subscription.unsubscribe();
        const staying = await h.inbox(bus, channel, { group: "g" });
        await h.until(() => staying.ids().includes(m.id), "the message to reach the member that stayed");
        expect(leaving.received).toEqual([]);
      });
    });

    transportTest(
      h,
      "unsubscribe() during a long redelivery delay does not wait the delay out",
      async (_bus, backend) => {
        const bus = h.ownTransport(backend.transport({ redeliveryDelayMs: 600_000 }));
        const channel = freshName("channel");
        const inbox = await h.inbox(bus, channel, { group: "g" }, () => true);
        await bus.send(channel, [message(1)]);
        await h.until(() => inbox.attempts.length >= 1, "the first, failing attempt");
        let done = false;
        const leaving = inbox.subscription.unsubscribe().then(() => {
          done = true;
        });
        await h.until(() => done, "unsubscribe() to resolve");
        await leaving;
        expect(inbox.attempts).toHaveLength(1);
      },
    );
  });
}
