import { waitFor } from "@core/conformance";
import { describe, expect, it } from "vitest";
import { createMemoryTransport, msg, sharedState } from "./transport.fixture.js";
import { MAX_DEDUP_KEYS, type MemoryChannel, RETAINED_MESSAGES } from "./transport-channel.js";

// The memory transport's documented bounds (README, transport-channel.ts): what a channel keeps
// once every subscriber and group has passed it, and how many idempotency keys it
// remembers. Memory-specific, so not part of the conformance kit; found by mutation testing.

const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => msg(from + i));

describe("memory transport retention", () => {
  it("a plain subscriber that left no longer pins the log", async () => {
    const shared = sharedState();
    const bus = createMemoryTransport(shared);
    const sub = await bus.subscribe("c", () => {});
    await sub.unsubscribe();
    await bus.send("c", batch(0, RETAINED_MESSAGES + 500));
    const channel = shared.channels.get("c") as MemoryChannel;
    expect(channel.size).toBe(RETAINED_MESSAGES);
    expect(channel.first).toBe(500);
    await shared.lifecycle.close();
  });

  it("a group that handled every message no longer pins the log", async () => {
    const shared = sharedState();
    const bus = createMemoryTransport(shared);
    let handled = 0;
    const sub = await bus.subscribe(
      "c",
      () => {
        handled += 1;
      },
      { group: "g" },
    );
    const total = RETAINED_MESSAGES + 500;
    await bus.send("c", batch(0, total));
    await waitFor(() => handled === total, 5000, "every message handled by the group");
    const channel = shared.channels.get("c") as MemoryChannel;
    expect(channel.size).toBe(RETAINED_MESSAGES);
    await sub.unsubscribe();
    await bus.send("c", batch(total, 10));
    expect(channel.first).toBe(510);
    await shared.lifecycle.close();
  });

  it(`remembers at most ${MAX_DEDUP_KEYS} idempotency keys per channel, forgetting the oldest`, async () => {
    const shared = sharedState();
    const bus = createMemoryTransport(shared);
    const keyed = Array.from({ length: MAX_DEDUP_KEYS + 1 }, (_, i) => msg(i, `k${i}`));
    await bus.send("c", keyed);
    const channel = shared.channels.get("c") as MemoryChannel;
    const before = channel.next;
    await bus.send("c", [msg(-1, "k1"), msg(-2, `k${MAX_DEDUP_KEYS}`)]);
    expect(channel.next).toBe(before);
    await bus.send("c", [msg(-3, "k0")]);
    expect(channel.next).toBe(before + 1);
    expect(channel.at(before)?.fields?.id).toBe("m-3");
    await shared.lifecycle.close();
  });
});
