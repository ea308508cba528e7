import { createPublisher, type Message, PublishError, type PublisherLogger, stubTransport } from "@core/protocols";
import { SEND_OPTION_NAMES } from "@core/protocols/kit";
import { expect, vi } from "vitest";
import { freshName } from "../names.js";
import { expectCode, expectRejects, type TransportHarness, transportTest } from "./harness.js";

const fast = { initialMs: 1, maxMs: 5 };

/** A logger of console's/pino's shape that records every call. */
function recordingLogger(): PublisherLogger & { lines: [string, string, Record<string, unknown>][] } {
  const lines: [string, string, Record<string, unknown>][] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push([level, message, fields]);
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * The publisher's per-publish features over the backend's transport: send options reach
 * the transport (honoured, or NOT_SUPPORTED before anything is sent), per-attempt
 * timeouts, the transport's result in the receipt, lazy payloads and the logger.
 */
export function registerPublisherFeatureTests(h: TransportHarness): void {
  transportTest(
    h,
    "send options of the channel and the publish reach the transport; one it does not honour is NOT_SUPPORTED before anything is sent",
    async (main) => {
      const channel = freshName("channel");
      const spy = stubTransport({ name: "spy", sendOptions: SEND_OPTION_NAMES });
      const honoured = main.sendOptions ?? [];
      const unsupported = SEND_OPTION_NAMES.find((name) => !honoured.includes(name));
      expect(unsupported, "every built-in transport rejects some option").toBeDefined();
      const sample = { delayMs: 10, priority: 1, key: "k" } as const;
      const option = { [unsupported as string]: sample[unsupported as keyof typeof sample] };
      expectCode(
        () =>
          createPublisher({
            transports: { main, spy },
            channels: { [channel]: { transport: ["main", "spy"], ...option } },
          }),
        "NOT_SUPPORTED",
      );
      const inbox = await h.inbox(main, channel);
      const publisher = createPublisher({
        transports: { main, spy },
        channels: { [channel]: { transport: ["spy", "main"], backoff: fast } },
      });
      await expectRejects(publisher.publish(channel, "refused", option), "NOT_SUPPORTED");
      expect(spy.calls).toHaveLength(0);
      if (honoured.includes("delayMs")) {
        const sentAt = Date.now();
        const receipt = await publisher.publish(channel, "delayed", { delayMs: 200 });
        expect(spy.calls.map((c) => c.options)).toEqual([{ delayMs: 200 }]);
        await h.until(() => inbox.received.length >= 1, "the delayed message");
        expect(Date.now()).toBeGreaterThanOrEqual(sentAt + 200);
        expect(inbox.ids()).toEqual([receipt.messageId]);
      } else {
        await expectRejects(publisher.publish(channel, "delayed", { delayMs: 200 }), "NOT_SUPPORTED");
      }
      await h.quiet();
      expect(inbox.received.map((m) => m.payload)).not.toContain("refused");
      await publisher.close();
    },
  );

  transportTest(
    h,
    "timeoutMs: an attempt slower than the limit fails with TIMEOUT and is retried; the backend's transport delivers",
    async (main) => {
      const channel = freshName("channel");
      const slow = stubTransport({ name: "slow", latencyMs: 3000 });
      const inbox = await h.inbox(main, channel);
      const publisher = createPublisher({
        transports: { main, slow },
        channels: { [channel]: { transport: ["main", "slow"], retries: 1, backoff: fast, timeoutMs: 1000 } },
      });
      const err = await publisher.publish(channel, "bounded").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PublishError);
      expect((err as PublishError).code).toBe("TIMEOUT");
      const attempts = (err as PublishError).attempts;
      expect(attempts.map((a) => [a.transport, a.attempt, (a.error as { code?: string }).code])).toEqual([
        ["slow", 1, "TIMEOUT"],
        ["slow", 2, "TIMEOUT"],
      ]);
      await h.until(() => inbox.received.length >= 1, "the message through the backend");
      expect(inbox.received[0]?.payload).toBe("bounded");
      await publisher.close();
    },
  );

  transportTest(h, "the receipt keeps what the transport's send returned", async (main, backend) => {
    const channel = freshName("channel");
    const publisher = createPublisher({
      transports: { main },
      channels: { [channel]: { transport: "main" } },
      dedupWindowMs: 0,
    });
    const key = freshName("key");
    const first = await publisher.publish(channel, 1, { idempotencyKey: key });
    expect(first.transports[0]?.backend).toBe(backend.name);
    const ids = first.transports[0]?.result?.ids;
    expect(ids).toHaveLength(1);
    expect(typeof ids?.[0]).toBe("string");
    // The publisher remembers no key (window 0): the transport drops the repeat and says so.
    const repeat = await publisher.publish(channel, 2, { idempotencyKey: key });
    expect(repeat.transports[0]?.result).toEqual({ ids: [null] });
    await publisher.close();
  });

  transportTest(
    h,
    "a function payload is called once per publish, not per retry or repeat, and its value is sent",
    async (main) => {
      const channel = freshName("channel");
      const flaky = stubTransport({ name: "flaky", failTimes: 2 });
      const inbox = await h.inbox(main, channel);
      const publisher = createPublisher({
        transports: { main, flaky },
        channels: { [channel]: { transport: ["main", "flaky"], retries: 3, backoff: fast } },
      });
      let calls = 0;
      const key = freshName("key");
      const lazy = async () => {
        calls += 1;
        return { built: calls, at: new Date(7) };
      };
      const receipt = await publisher.publish(channel, lazy, { idempotencyKey: key });
      expect(receipt.transports.map((t) => t.attempts)).toEqual([1, 3]);
      expect(await publisher.publish(channel, lazy, { idempotencyKey: key })).toBe(receipt);
      expect(calls).toBe(1);
      expect(flaky.sent.map((m) => m.payload)).toEqual([{ built: 1, at: new Date(7) }]);
      await publisher.publish(channel, () => "sync");
      const failure = new Error("cannot build");
      await expect(
        publisher.publish(channel, () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      await h.until(() => inbox.received.length >= 2, "both built payloads");
      await h.quiet();
      expect(inbox.received.map((m: Message) => m.payload)).toEqual([{ built: 1, at: new Date(7) }, "sync"]);
      await publisher.close();
    },
  );

  transportTest(
    h,
    "logger hears attempts, retries, drops and failures; a throwing hook goes to it, not to process warnings",
    async (main) => {
      const channel = freshName("channel");
      const logger = recordingLogger();
      const warning = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
      try {
        const flaky = stubTransport({ name: "flaky", failTimes: 1 });
        const gone = stubTransport({ name: "gone", failTimes: 100 });
        const publisher = createPublisher({
          transports: { main, flaky, gone },
          channels: {
            [channel]: {
              transport: ["main", "flaky"],
              backoff: fast,
              onSuccess: () => {
                throw new Error("hook broke");
              },
            },
            dropping: { transport: "gone", backoff: fast, onFailure: () => "drop" },
            failing: { transport: "gone", retries: 0 },
          },
          logger,
        });
        const receipt = await publisher.publish(channel, 1);
        const of = (message: string) =>
          logger.lines.filter(([, m]) => m.includes(message)).map(([level, , f]) => [level, f.transport, f.attempt]);
        expect(of("publish attempt")).toEqual(
          expect.arrayContaining([
            ["debug", "main", 1],
            ["debug", "flaky", 1],
            ["debug", "flaky", 2],
          ]),
        );
        expect(of("retrying")).toEqual([["warn", "flaky", 1]]);
        expect(of("onSuccess threw")).toEqual(
          expect.arrayContaining([
            ["warn", "main", 1],
            ["warn", "flaky", 2],
          ]),
        );
        expect(logger.lines.every(([, , f]) => f.channel !== undefined && f.messageId !== undefined)).toBe(true);
        expect(logger.lines.filter(([, , f]) => f.messageId === receipt.messageId).length).toBe(logger.lines.length);
        await publisher.publish("dropping", 2);
        expect(of("dropped")).toEqual([["warn", "gone", 1]]);
        await expect(publisher.publish("failing", 3)).rejects.toBeInstanceOf(PublishError);
        expect(of("publish failed")).toEqual([["error", "gone", 1]]);
        expect(warning).not.toHaveBeenCalled();
        await publisher.close();
      } finally {
        warning.mockRestore();
      }
    },
  );
}
