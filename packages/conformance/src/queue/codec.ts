import { test } from "vitest";
import { expectCorruption, unreadableCodec } from "../cache/codec.js";
import type { QueueContext } from "./context.js";

/**
 * Registers the tests of a queue whose codec fails while decoding: `get` and `stream`
 * reject with `CORRUPTION` (a `BackendError`, the codec's error as `cause`), never a plain
 * `Error`. (Record stores take no codec: their content is JSON on every backend.)
 *
 * @example
 * ```ts
 * describe("codec failures", () => registerQueueCodec(ctx));
 * ```
 */
export function registerQueueCodec(ctx: QueueContext): void {
  test("a codec that throws while decoding makes get and stream fail with CORRUPTION", async () => {
    const queue = ctx.queue<number>({ codec: unreadableCodec() });
    await queue.putBatch([1, 2]);
    await expectCorruption(() => queue.get(), ctx.backend.name);
    await expectCorruption(() => queue.get({ offset: 1, limit: 1 }), ctx.backend.name);
    await expectCorruption(async () => {
      for await (const _ of queue.stream()) break;
    }, ctx.backend.name);
  });
}
