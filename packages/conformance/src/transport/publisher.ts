import {
  type ChannelConfig,
  createPublisher,
  type Message,
  PublishError,
  type PublishFailureContext,
  stubTransport,
} from "@core/protocols";
import { expect } from "vitest";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";
import { describeTransportSuite, REDELIVERY_MS, transportTest } from "./harness.js";
import { registerPublisherFeatureTests } from "./publisher-features.js";

const fast = { initialMs: 1, maxMs: 5 };

/**
 * Runs the `createPublisher` runtime over the backend's transport: fan-out to two
 * transports of the backend, retries through a failing stub in the same channel, the
 * fatal path, delivery to a group subscriber end to end, and the per-publish features:
 * send options, per-attempt timeouts, the transport's result in the receipt, lazy
 * payloads and the logger.
 *
 * @example
 * ```ts
 * describePublisherConformance({ name: "memory", open: () => openMemoryBackend() });
 * ```
 */
export function describePublisherConformance(options: ConformanceOptions): void {
  describeTransportSuite(`publisher conformance: ${options.name}`, options, (h) => {
    transportTest(
      h,
      "fans out to two transports of the backend; the backend deduplicates a shared key",
      async (main, backend) => {
        const channel = freshName("channel");
        const second = h.ownTransport(backend.transport({ redeliveryDelayMs: REDELIVERY_MS }));
        const inbox = await h.inbox(main, channel);
        const publisher = createPublisher({
          transports: { main, second },
          channels: { [channel]: { transport: ["main", "second"], backoff: fast } },
          dedupWindowMs: 0,
        });
        const receipt = await publisher.publish(channel, { n: 1 }, { headers: { h: "v" } });
        expect(receipt.transports.map((t) => [t.transport, t.backend, t.status, t.attempts])).toEqual([
          ["main", backend.name, "sent", 1],
          ["second", backend.name, "sent", 1],
        ]);
        await h.until(() => inbox.received.length >= 2, "one copy per transport");
        expect(inbox.ids()).toEqual([receipt.messageId, receipt.messageId]);
        // Both transports send the same key; the channel keeps only the first.
        const keyed = await publisher.publish(channel, { n: 2 }, { idempotencyKey: freshName("key") });
        const sentinel = await publisher.publish(channel, { n: 3 });
        await h.until(
          () => inbox.received.filter((m) => m.id === sentinel.messageId).length >= 2,
          "the sentinel twice",
        );
        expect(inbox.ids().filter((id) => id === keyed.messageId)).toHaveLength(1);
        await publisher.close();
      },
    );

    transportTest(
      h,
      "retries a failing transport of the channel while the backend's delivers once",
      async (main, backend) => {
        const channel = freshName("channel");
        const flaky = stubTransport({ name: "flaky", failTimes: 2 });
        const failures: PublishFailureContext[] = [];
        const config: ChannelConfig = {
          transport: ["main", "flaky"],
          retries: 3,
          backoff: fast,
          onFailure: (ctx) => {
            failures.push(ctx);
            return undefined;
          },
        };
        const inbox = await h.inbox(main, channel);
        const publisher = createPublisher({ transports: { main, flaky }, channels: { [channel]: config } });
        const receipt = await publisher.publish(channel, "payload");
        expect(receipt.transports.map((t) => [t.transport, t.backend, t.status, t.attempts])).toEqual([
          ["main", backend.name, "sent", 1],
          ["flaky", "flaky", "sent", 3],
        ]);
        expect(failures.map((f) => [f.transport, f.attempt])).toEqual([
          ["flaky", 1],
          ["flaky", 2],
        ]);
        expect(flaky.sent.map((m) => m.id)).toEqual([receipt.messageId]);
        await h.until(() => inbox.received.length >= 1, "the message");
        await h.quiet();
        expect(inbox.ids()).toEqual([receipt.messageId]);
        await publisher.close();
      },
    );

    transportTest(
      h,
      "rejects with every attempt's error when a transport stays down, after delivering through the others",
      async (main) => {
        const channel = freshName("channel");
        const down = stubTransport({ name: "down", failTimes: 100 });
        const fatal: PublishFailureContext[] = [];
        const inbox = await h.inbox(main, channel);
        const publisher = createPublisher({
          transports: { main, down },
          channels: {
            [channel]: {
              transport: ["main", "down"],
              retries: 1,
              backoff: fast,
              onFatal: (ctx) => void fatal.push(ctx),
            },
          },
        });
        const err = await publisher.publish(channel, 1).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(PublishError);
        expect((err as PublishError).code).toBe("CONNECTION");
        expect((err as PublishError).retryable).toBe(false);
        expect((err as PublishError).attempts.map((a) => [a.transport, a.attempt])).toEqual([
          ["down", 1],
          ["down", 2],
        ]);
        expect(fatal.map((f) => [f.transport, f.attempt])).toEqual([["down", 2]]);
        await h.until(() => inbox.received.length >= 1, "the message through the healthy transport");
        await publisher.close();
      },
    );

    transportTest(h, "delivers a published message to a group subscriber end to end", async (main) => {
      const channel = freshName("channel");
      const inbox = await h.inbox(main, channel, { group: "consumers" });
      const publisher = createPublisher({ transports: { main }, channels: { [channel]: { transport: "main" } } });
      const payload = {
        at: new Date(5),
        big: 9n,
        bytes: new Uint8Array([7]),
        tags: new Set(["a"]),
        map: new Map([[1, "x"]]),
      };
      const key = freshName("key");
      const receipt = await publisher.publish(channel, payload, {
        idempotencyKey: key,
        headers: { "content-type": "order" },
      });
      const again = await publisher.publish(channel, payload, { idempotencyKey: key });
      expect(again).toBe(receipt);
      const sentinel = await publisher.publish(channel, "sentinel");
      await h.until(() => inbox.received.length >= 2, "the message and the sentinel");
      const expected: Message = {
        id: receipt.messageId,
        payload,
        headers: { "content-type": "order" },
        publishedAt: receipt.publishedAt,
        idempotencyKey: key,
      };
      expect(inbox.received[0]).toEqual(expected);
      expect(inbox.ids()).toEqual([receipt.messageId, sentinel.messageId]);
      await publisher.close();
    });

    registerPublisherFeatureTests(h);
  });
}
