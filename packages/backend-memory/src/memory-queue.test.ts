import { getEventListeners } from "node:events";
import { describeQueueConformance } from "@core/conformance";
import { describe, expect, test } from "vitest";
import { openMemoryBackend } from "./index.js";

describeQueueConformance({ name: "memory", open: () => openMemoryBackend() });

describe("memory queue specifics", () => {
  test("each openMemoryBackend() is a separate world", async () => {
    const a = await openMemoryBackend();
    const b = await openMemoryBackend();
    await a.queue<number>("t").put(1);
    expect(await b.queue("t").count()).toBe(0);
    await a.close();
    await b.close();
  });

  test("trim keeps reads right while the head is compacted many times", async () => {
    const backend = await openMemoryBackend();
    const q = backend.queue<number>("t");
    let next = 0;
    for (let round = 0; round < 50; round++) {
      const batch = Array.from({ length: 37 }, () => next++);
      await q.putBatch(batch);
      await q.trim({ maxLength: 20 + (round % 7) });
      const first = next - (20 + (round % 7));
      const entries = await q.get({ limit: 1000 });
      expect(entries.map((e) => e.offset)).toEqual(Array.from({ length: next - first }, (_, i) => first + i));
      expect(entries.map((e) => e.value)).toEqual(entries.map((e) => e.offset));
    }
    await backend.close();
  });

  test("a blocked stream leaves no listener behind on the caller's signal after it ends", async () => {
    const backend = await openMemoryBackend();
    const q = backend.queue<number>("t");
    const controller = new AbortController();
    const iterator = q.stream({ block: true, signal: controller.signal })[Symbol.asyncIterator]();
    for (let i = 0; i < 200; i++) {
      const next = iterator.next();
      await q.put(i);
      expect((await next).value?.offset).toBe(i);
    }
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    controller.abort();
    expect((await iterator.next()).done).toBe(true);
    await backend.close();
  });
});
