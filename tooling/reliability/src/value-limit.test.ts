import { BackendError, defaultCodec } from "@core/protocols";
import { limitValueSize } from "@core/protocols/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, createTarget, type Target } from "./targets.js";

// The configurable maximum value size: a size-limited codec passed to any store rejects
// oversized values with INVALID_ARGUMENT, and nothing is written (raw storage unchanged).
for (const name of BACKENDS) {
  describe(`security: maximum value size: ${name}`, () => {
    let target: Target;
    beforeAll(async () => {
      target = await createTarget(name);
    });
    afterAll(() => target.dispose());

    it("a value over the limit is rejected before anything is written, on cache, queue and transport", async () => {
      const backend = await target.open();
      try {
        const codec = limitValueSize(defaultCodec, 1024);
        const cache = backend.cache(`limit-${Date.now()}`, { codec });
        const queue = backend.queue(`limit-${Date.now()}`, { codec });
        await cache.set("small", "x".repeat(100));
        await queue.put("x".repeat(100));
        const before = await target.raw();
        const big = "y".repeat(2000);
        for (const attempt of [
          () => cache.set("big", big),
          () =>
            cache.setMany([
              { key: "a", value: "ok" },
              { key: "b", value: big },
            ]),
          () => queue.put(big),
          () => queue.putBatch(["ok", big]),
        ]) {
          const error = await attempt().then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(BackendError.is(error, "INVALID_ARGUMENT"), String(error)).toBe(true);
        }
        expect(await target.raw()).toEqual(before);
        expect(await cache.get("small")).toBe("x".repeat(100));
        expect(await queue.count()).toBe(1);
      } finally {
        if (name !== "memory") await backend.close();
      }
    });
  });
}
