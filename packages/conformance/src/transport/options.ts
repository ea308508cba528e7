import type { TransportOptions } from "@core/protocols";
import { describe, expect } from "vitest";
import { freshName } from "../names.js";
import { expectCode, expectRejects, message, REDELIVERY_MS, type TransportHarness, transportTest } from "./harness.js";

/** Transport options and the order of checks: one behaviour on every backend. */
export function registerOptionsTests(h: TransportHarness): void {
  describe("options", () => {
    transportTest(
      h,
      "dedupWindowMs and redeliveryDelayMs take any non-negative finite number of ms; anything else is INVALID_ARGUMENT",
      async (_bus, backend) => {
        for (const options of [
          { dedupWindowMs: 0 },
          { dedupWindowMs: 1.5, redeliveryDelayMs: 0.5 },
          { redeliveryDelayMs: 0 },
        ]) {
          const bus = h.ownTransport(backend.transport(options));
          expect(bus.delivery).toBe("at-least-once");
        }
        const bad: unknown[] = [
          { dedupWindowMs: -1 },
          { dedupWindowMs: Number.NaN },
          { dedupWindowMs: Number.POSITIVE_INFINITY },
          { dedupWindowMs: "1000" },
          { redeliveryDelayMs: -5 },
          { redeliveryDelayMs: null },
          { mode: "sometimes" },
          "durable",
        ];
        for (const options of bad) expectCode(() => backend.transport(options as TransportOptions), "INVALID_ARGUMENT");
      },
    );

    transportTest(
      h,
      "dedupWindowMs 0 remembers no key across sends; within one batch a repeated key keeps its first message",
      async (_bus, backend) => {
        const bus = h.ownTransport(backend.transport({ dedupWindowMs: 0, redeliveryDelayMs: REDELIVERY_MS }));
        const channel = freshName("channel");
        const inbox = await h.inbox(bus, channel);
        const key = freshName("key");
        const first = message(1, { idempotencyKey: key });
        await bus.send(channel, [first, message(2, { idempotencyKey: key })]);
        // A later send is outside a window of 0 ms.
        await new Promise((resolve) => setTimeout(resolve, 5));
        const again = message(3, { idempotencyKey: key });
        await bus.send(channel, [again]);
        await h.until(() => inbox.received.length >= 2, "both accepted messages");
        await h.quiet();
        expect(inbox.ids()).toEqual([first.id, again.id]);
      },
    );

    transportTest(
      h,
      "a closed transport rejects every call with CLOSED, checked before its arguments",
      async (_b, backend) => {
        const bus = backend.transport({ redeliveryDelayMs: REDELIVERY_MS });
        await bus.close();
        await expectRejects(bus.send("", "nope" as never), "CLOSED");
        await expectRejects(bus.subscribe("", "nope" as never, { group: "" }), "CLOSED");
      },
    );
  });
}
