import { describePublisherConformance, describeTransportConformance, waitFor } from "@core/conformance";
import { describe, expect, it } from "vitest";
import { openMemoryBackend } from "./index.js";
import { createMemoryTransport, msg, sharedState } from "./transport.fixture.js";
import { type MemoryChannel, RETAINED_MESSAGES } from "./transport-channel.js";

describeTransportConformance({ name: "memory", open: () => openMemoryBackend() });
describePublisherConformance({ name: "memory", open: () => openMemoryBackend() });

describe("memory transport specifics", () => {
  it("trims what every subscriber and group has passed, keeping the last messages for fromStart", async () => {
    const shared = sharedState();
    const bus = createMemoryTransport(shared);
    let handled = 0;
    const sub = await bus.subscribe("c", () => {
      handled += 1;
    });
    const total = RETAINED_MESSAGES + 500;
    await bus.send(
      "c",
      Array.from({ length: total }, (_, n) => msg(n)),
    );
    await waitFor(() => handled === total, 5000, "every message");
    const channel = shared.channels.get("c") as MemoryChannel;
    expect(channel.size).toBe(RETAINED_MESSAGES);
    expect(channel.first).toBe(total - RETAINED_MESSAGES);
    await sub.unsubscribe();
    await shared.lifecycle.close();
  });

  it("keeps what an offline group has not handled", async () => {
    const shared = sharedState();
    const bus = createMemoryTransport(shared);
    const sub = await bus.subscribe("c", () => {}, { group: "g" });
    await sub.unsubscribe();
    const total = RETAINED_MESSAGES + 10;
    await bus.send(
      "c",
      Array.from({ length: total }, (_, n) => msg(n)),
    );
    expect((shared.channels.get("c") as MemoryChannel).size).toBe(total);
    await shared.lifecycle.close();
  });

  it("forgets idempotency keys after dedupWindowMs", async () => {
    const shared = sharedState();
    const bus = createMemoryTransport(shared, { dedupWindowMs: 20 });
    const got: string[] = [];
    await bus.subscribe("c", (m) => void got.push(m.id));
    await bus.send("c", [msg(1, "k"), msg(2, "k")]);
    await new Promise((r) => setTimeout(r, 30));
    await bus.send("c", [msg(3, "k")]);
    await waitFor(() => got.length === 2, 2000, "two messages");
    expect(got).toEqual(["m1", "m3"]);
    await shared.lifecycle.close();
  });

  it('mode "ephemeral" is at-most-once: a failing handler is not redelivered', async () => {
    const shared = sharedState();
    const bus = createMemoryTransport(shared, { mode: "ephemeral" });
    expect(bus.delivery).toBe("at-most-once");
    const attempts: string[] = [];
    await bus.subscribe("c", (m) => {
      attempts.push(m.id);
      if (m.id === "m1") throw new Error("fails");
    });
    await bus.send("c", [msg(1), msg(2)]);
    await waitFor(() => attempts.includes("m2"), 2000, "the second message");
    expect(attempts).toEqual(["m1", "m2"]);
    await shared.lifecycle.close();
  });

  it("hands a group message its member left unhandled to another member", async () => {
    const shared = sharedState();
    const bus = createMemoryTransport(shared, { redeliveryDelayMs: 10 });
    const first: string[] = [];
    const quitter = await bus.subscribe(
      "c",
      (m) => {
        first.push(m.id);
        throw new Error("cannot handle");
      },
      { group: "g" },
    );
    await bus.send("c", [msg(1)]);
    await waitFor(() => first.length >= 1, 2000, "a first attempt");
    await quitter.unsubscribe();
    const second: string[] = [];
    await bus.subscribe("c", (m) => void second.push(m.id), { group: "g" });
    await waitFor(() => second.length >= 1, 2000, "the message for the new member");
    expect(second).toEqual(["m1"]);
    await shared.lifecycle.close();
  });

  it("rejects bad transport options with INVALID_ARGUMENT", () => {
    const shared = sharedState();
    for (const options of [{ mode: "other" }, { dedupWindowMs: -1 }, { redeliveryDelayMs: Number.NaN }]) {
      expect(() => createMemoryTransport(shared, options as never)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
    }
  });
});
