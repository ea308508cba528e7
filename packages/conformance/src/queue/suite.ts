import { afterAll, beforeAll, describe, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";
import { SUITE_TEST_TIMEOUT_MS } from "../options.js";
import { registerQueueAbortAndTrim } from "./abort-and-trim.js";
import { registerQueueBasics } from "./basics.js";
import { registerQueueBuckets } from "./buckets.js";
import { registerQueueBuffering } from "./buffering.js";
import { registerQueueClients } from "./clients.js";
import { registerQueueCodec } from "./codec.js";
import { createQueueContext, expectCode } from "./context.js";
import { registerQueueGroupStreams } from "./group-streams.js";
import { registerQueueInterleaved } from "./interleaved.js";
import { registerQueueProperties } from "./properties.js";
import { registerQueueReadRange } from "./read-range.js";
import { registerQueueStreams } from "./streams.js";
import { registerQueueValidation } from "./validation.js";

/**
 * Registers the queue conformance suite (PROTOCOLS.md §0 and §2) for a backend. The
 * capabilities are read from an instance while collecting, so tests for an absent
 * capability are reported as skipped ("queue: not supported by this backend") next to one
 * test that it is `NOT_SUPPORTED` — never as passing tests that ran nothing.
 *
 * @example
 * ```ts
 * import { describeQueueConformance } from "@core/conformance";
 * describeQueueConformance({ name: "memory", open: () => openMemoryBackend() });
 * ```
 */
export function describeQueueConformance(options: ConformanceOptions): void {
  describe(`queue conformance: ${options.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, async () => {
    const probe = await options.open();
    const caps = probe.capabilities;
    await probe.close();
    const ctx = createQueueContext(options, caps);

    beforeAll(async () => {
      ctx.backend = await options.open();
    });
    afterAll(async () => {
      await ctx.backend?.close();
    });

    if (!caps.queue) {
      test("backend.queue() is NOT_SUPPORTED without capabilities.queue", async () => {
        await expectCode(async () => {
          const q = ctx.backend.queue(freshName("queue"));
          await q.put(1);
        }, "NOT_SUPPORTED");
      });
    }

    describeCapability(caps.queue, "queue", () => {
      describe("offsets, values, reads, trim and groups", () => registerQueueBasics(ctx));
      describe("stream", () => registerQueueStreams(ctx));
      describe("read ranges", () => registerQueueReadRange(ctx));
      describe("group streams", () => registerQueueGroupStreams(ctx));
      describe("buckets", () => registerQueueBuckets(ctx));
      describe("write buffering", () => registerQueueBuffering(ctx));
      describe("bad input and close", () => registerQueueValidation(ctx));
      describe("codec failures", () => registerQueueCodec(ctx));
      describe("other clients", () => registerQueueClients(ctx));
      describe("interleaved writers", () => registerQueueInterleaved(ctx));
      describe("properties", () => registerQueueProperties(ctx));
      describe("abort while holding an entry, trims", () => registerQueueAbortAndTrim(ctx));
    });
  });
}
