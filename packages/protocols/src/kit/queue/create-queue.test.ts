import { describe, expect, it } from "vitest";
import type { Codec } from "../../codec.js";
import { BackendError } from "../../errors.js";
import { Lifecycle } from "../../lifecycle.js";
import type { QueueEntry } from "../../queue.js";
import { createQueue } from "./create-queue.js";
import type { DecodeStored, QueueDriver, QueueLogDriver } from "./queue-driver.js";

/** The smallest driver: an array per log, no native blocking, no native buffering. */
function arrayDriver(life: Lifecycle): QueueDriver & { appends: number } {
  const logs = new Map<string, string[]>();
  const driver = {
    backend: "arrays",
    lifecycle: life,
    appends: 0,
    openLog(name: string): QueueLogDriver {
      const rows = logs.get(name) ?? [];
      logs.set(name, rows);
      const groups = new Map<string, number>();
      return {
        append: async (texts) => {
          driver.appends++;
          rows.push(...texts);
          return rows.length - texts.length;
        },
        read: async <V>(offset: number, limit: number, decode: DecodeStored<V>) =>
          rows
            .slice(offset, offset + limit)
            .map((text, i): QueueEntry<V> => ({ offset: offset + i, value: decode(text), timestamp: 0 })),
        next: async () => rows.length,
        stats: async () => ({ totalCount: rows.length, firstOffset: 0 }),
        commit: async (group, n) => void groups.set(group, n),
        committed: async (group) => groups.get(group) ?? 0,
        trim: async () => 0,
      };
    },
  };
  return driver;
}

describe("createQueue", () => {
  it("validates, encodes and reads through a driver", async () => {
    const life = new Lifecycle("arrays");
    const q = createQueue<string>(arrayDriver(life), "events");
    expect(await q.put("a")).toBe(0);
    expect(await q.putBatch(["b", "c"])).toEqual({ first: 1, count: 2 });
    expect((await q.get({ offset: 1 })).map((e) => e.value)).toEqual(["b", "c"]);
    await expect(q.get({ offset: -1 })).rejects.toSatisfy((err) => BackendError.is(err, "INVALID_ARGUMENT"));
    await life.close();
    await expect(q.put("d")).rejects.toSatisfy((err) => BackendError.is(err, "CLOSED"));
  });

  it("maps a failing decode to CORRUPTION from the backend, the codec's error as cause", async () => {
    const boom = new Error("unreadable");
    const codec: Codec = {
      name: "broken",
      encode: (v) => JSON.stringify(v),
      decode: () => {
        throw boom;
      },
    };
    const q = createQueue<number>(arrayDriver(new Lifecycle("arrays")), "events", { codec });
    await q.put(1);
    const error = await q.get().catch((err: unknown) => err);
    expect(BackendError.is(error, "CORRUPTION")).toBe(true);
    expect((error as BackendError).backend).toBe("arrays");
    expect((error as BackendError).cause).toBe(boom);
  });

  it("a blocking stream without native blocking polls until an append, and ends on abort", async () => {
    const life = new Lifecycle("arrays");
    const q = createQueue<string>(arrayDriver(life), "events");
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const entry of q.stream({ block: true, signal: controller.signal })) {
        seen.push(entry.value);
        if (seen.length === 2) controller.abort();
      }
    })();
    await q.put("a");
    await q.put("b");
    await reading;
    expect(seen).toEqual(["a", "b"]);
    await life.close();
  });

  it("buffers writes into one append per batch when batchSize is set", async () => {
    const life = new Lifecycle("arrays");
    const driver = arrayDriver(life);
    const q = createQueue<number>(driver, "events", { batchSize: 3, flushIntervalMs: 600_000 });
    const puts = [q.put(1), q.putBatch([2, 3]), q.put(4)];
    expect(await Promise.all(puts.slice(0, 2))).toEqual([0, { first: 1, count: 2 }]);
    expect(driver.appends).toBe(1);
    expect((await q.stats()).bufferedCount).toBe(1);
    await life.close();
    expect(await puts[2]).toBe(3);
    expect(driver.appends).toBe(2);
  });
});
