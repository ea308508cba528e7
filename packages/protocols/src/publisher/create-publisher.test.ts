import { afterEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "../errors.js";
import type { Message, Transport } from "../transport.js";
import { createPublisher } from "./create-publisher.js";
import { PublishError } from "./publish-error.js";
import { stubTransport } from "./stub-transport.js";
import type { ChannelConfig, PublishContext, PublishFailureContext } from "./types.js";

const fast = { initialMs: 1, maxMs: 2 };

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: unknown) => err,
  );
}

function setup(
  config: Partial<ChannelConfig> = {},
  stubs = { a: stubTransport({ name: "a" }), b: stubTransport({ name: "b" }) },
) {
  const publisher = createPublisher({
    transports: stubs,
    channels: { orders: { transport: Object.keys(stubs), backoff: fast, ...config } },
  });
  return { publisher, ...stubs };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("createPublisher: fan-out", () => {
  it("sends one message to every transport of the channel and returns a receipt per transport", async () => {
    const { publisher, a, b } = setup();
    const before = Date.now();
    const receipt = await publisher.publish("orders", { sku: 1n, at: new Date(0) }, { headers: { "x-trace": "t1" } });
    expect(a.sent).toHaveLength(1);
    expect(b.sent).toHaveLength(1);
    const message = a.sent[0] as Message;
    expect(b.sent[0]?.id).toBe(message.id);
    expect(message.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.payload).toEqual({ sku: 1n, at: new Date(0) });
    expect(message.headers).toEqual({ "x-trace": "t1" });
    expect(message.publishedAt).toBeGreaterThanOrEqual(before);
    expect(message.publishedAt).toBeLessThanOrEqual(Date.now());
    expect(receipt).toEqual({
      channel: "orders",
      messageId: message.id,
      publishedAt: message.publishedAt,
      transports: [
        { transport: "a", backend: "a", status: "sent", attempts: 1, result: { ids: ["0"] } },
        { transport: "b", backend: "b", status: "sent", attempts: 1, result: { ids: ["0"] } },
      ],
    });
    const second = await publisher.publish("orders", 2);
    expect(second.messageId).not.toBe(message.id);
  });

  it("keeps a header named __proto__ as an ordinary header", async () => {
    const { publisher, a } = setup();
    const headers = JSON.parse('{"__proto__": "p", "x": "1"}') as Record<string, string>;
    await publisher.publish("orders", 1, { headers });
    const sent = (a.sent[0] as Message).headers;
    expect(Object.keys(sent).sort()).toEqual(["__proto__", "x"]);
    expect(Object.getOwnPropertyDescriptor(sent, "__proto__")?.value).toBe("p");
    expect(Object.getPrototypeOf(sent)).toBe(Object.prototype);
  });

  it("sends to the transports in parallel", async () => {
    let releaseA: () => void = () => {};
    const calls: string[] = [];
    const slow: Transport = {
      ...stubTransport({ name: "slow" }),
      send: async () => {
        calls.push("slow:start");
        await new Promise<void>((r) => {
          releaseA = r;
        });
        calls.push("slow:end");
      },
    };
    const quick = stubTransport({ name: "quick" });
    const publisher = createPublisher({
      transports: { slow, quick },
      channels: { c: { transport: ["slow", "quick"] } },
    });
    const pending = publisher.publish("c", 1);
    await vi.waitFor(() => expect(quick.sent).toHaveLength(1));
    expect(calls).toEqual(["slow:start"]);
    releaseA();
    await pending;
    expect(calls).toEqual(["slow:start", "slow:end"]);
  });

  it("accepts a single transport key", async () => {
    const a = stubTransport();
    const publisher = createPublisher({ transports: { a }, channels: { c: { transport: "a" } } });
    const receipt = await publisher.publish("c", null);
    expect(receipt.transports.map((t) => t.transport)).toEqual(["a"]);
  });
});

describe("createPublisher: retries and backoff", () => {
  it("retries each transport independently until it succeeds", async () => {
    const { publisher, a, b } = setup(
      { retries: 3 },
      { a: stubTransport({ name: "a" }), b: stubTransport({ name: "b", failTimes: 2 }) },
    );
    const receipt = await publisher.publish("orders", "x");
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(3);
    expect(receipt.transports.map((t) => t.attempts)).toEqual([1, 3]);
    expect(new Set(b.calls.map((c) => c.messages[0]?.id)).size).toBe(1);
  });

  it("makes exactly 1 + retries attempts, the default being 3 retries", async () => {
    const a = stubTransport({ failTimes: 100 });
    const publisher = createPublisher({ transports: { a }, channels: { c: { transport: "a", backoff: fast } } });
    await rejection(publisher.publish("c", 1));
    expect(a.calls).toHaveLength(4);
    const b = stubTransport({ failTimes: 100 });
    const none = createPublisher({ transports: { b }, channels: { c: { transport: "b", retries: 0 } } });
    await rejection(none.publish("c", 1));
    expect(b.calls).toHaveLength(1);
  });

  it("waits initialMs × multiplier^n between attempts, capped at maxMs", async () => {
    vi.useFakeTimers();
    const times: number[] = [];
    const a = stubTransport({
      fail: () => {
        times.push(Date.now());
        return times.length <= 4 ? new Error("down") : undefined;
      },
    });
    const publisher = createPublisher({
      transports: { a },
      channels: { c: { transport: "a", retries: 5, backoff: { initialMs: 100, multiplier: 2, maxMs: 300 } } },
    });
    const pending = publisher.publish("c", 1);
    await vi.advanceTimersByTimeAsync(2000);
    await pending;
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(gaps).toEqual([100, 200, 300, 300]);
  });

  it("with jitter waits a random delay within [0, computed]", async () => {
    vi.useFakeTimers();
    const times: number[] = [];
    const a = stubTransport({
      fail: () => {
        times.push(Date.now());
        return times.length <= 6 ? new Error("down") : undefined;
      },
    });
    const publisher = createPublisher({
      transports: { a },
      channels: { c: { transport: "a", retries: 6, backoff: { initialMs: 100, maxMs: 400, jitter: true } } },
    });
    const pending = publisher.publish("c", 1);
    await vi.advanceTimersByTimeAsync(5000);
    await pending;
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    const bounds = [100, 200, 400, 400, 400, 400];
    expect(gaps).toHaveLength(6);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThanOrEqual(bounds[i] as number);
    });
  });

  it("does not retry a non-retryable BackendError unless onFailure says retry", async () => {
    const fail = () => new BackendError("INVALID_ARGUMENT", "bad", { backend: "x" });
    const a = stubTransport({ fail });
    const publisher = createPublisher({ transports: { a }, channels: { c: { transport: "a", backoff: fast } } });
    const err = await rejection(publisher.publish("c", 1));
    expect(BackendError.is(err, "INVALID_ARGUMENT")).toBe(true);
    expect(a.calls).toHaveLength(1);
    const b = stubTransport({ fail });
    const forced = createPublisher({
      transports: { b },
      channels: { c: { transport: "b", retries: 2, backoff: fast, onFailure: () => "retry" } },
    });
    await rejection(forced.publish("c", 1));
    expect(b.calls).toHaveLength(3);
  });
});

describe("createPublisher: hooks", () => {
  it("calls onSuccess per transport and onFailure after each failed attempt with its context", async () => {
    const onSuccess = vi.fn((_ctx: PublishContext) => {});
    const onFailure = vi.fn((_ctx: PublishFailureContext) => undefined);
    const onFatal = vi.fn((_ctx: PublishFailureContext) => {});
    const stubs = { a: stubTransport({ name: "a" }), b: stubTransport({ name: "b", failTimes: 2 }) };
    const { publisher, b } = setup({ onSuccess, onFailure, onFatal }, stubs);
    await publisher.publish("orders", { n: 1 });
    const message = b.sent[0];
    expect(onSuccess.mock.calls.map(([ctx]) => [ctx.transport, ctx.attempt]).sort()).toEqual([
      ["a", 1],
      ["b", 3],
    ]);
    expect(onSuccess.mock.calls[0]?.[0]).toMatchObject({ channel: "orders", message: { id: message?.id } });
    expect(onFailure.mock.calls.map(([ctx]) => ctx)).toEqual([
      {
        channel: "orders",
        transport: "b",
        message: expect.objectContaining({ id: message?.id }),
        attempt: 1,
        error: b.calls[0]?.error,
      },
      {
        channel: "orders",
        transport: "b",
        message: expect.objectContaining({ id: message?.id }),
        attempt: 2,
        error: b.calls[1]?.error,
      },
    ]);
    expect(onFatal).not.toHaveBeenCalled();
  });

  it("calls onFatal once with the last error when retries are exhausted, then rejects", async () => {
    const onFatal = vi.fn((_ctx: PublishFailureContext) => {});
    const stubs = { a: stubTransport({ name: "a" }), b: stubTransport({ name: "b", failTimes: 10 }) };
    const { publisher, a, b } = setup({ retries: 2, onFatal }, stubs);
    const err = await rejection(publisher.publish("orders", 1));
    expect(err).toBeInstanceOf(PublishError);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal.mock.calls[0]?.[0]).toMatchObject({
      channel: "orders",
      transport: "b",
      attempt: 3,
      error: b.calls[2]?.error,
    });
    expect(a.sent).toHaveLength(1);
  });

  it('"drop" stops retrying that transport and publish still resolves', async () => {
    const onFatal = vi.fn();
    const stubs = { a: stubTransport({ name: "a" }), b: stubTransport({ name: "b", failTimes: 10 }) };
    const { publisher, b } = setup({ retries: 5, onFailure: async () => "drop" as const, onFatal }, stubs);
    const receipt = await publisher.publish("orders", 1);
    expect(b.calls).toHaveLength(1);
    expect(receipt.transports[1]).toEqual({
      transport: "b",
      backend: "b",
      status: "dropped",
      attempts: 1,
      error: b.calls[0]?.error,
    });
    expect(receipt.transports[0]?.status).toBe("sent");
    expect(onFatal).not.toHaveBeenCalled();
  });

  it("an onFailure that throws makes that transport fail", async () => {
    const hookError = new Error("hook broke");
    const { publisher, b } = setup(
      {
        retries: 5,
        onFailure: () => {
          throw hookError;
        },
      },
      { a: stubTransport(), b: stubTransport({ failTimes: 10 }) },
    );
    const err = (await rejection(publisher.publish("orders", 1))) as PublishError;
    expect(b.calls).toHaveLength(1);
    expect(err.attempts.map((x) => x.error)).toEqual([b.calls[0]?.error, hookError]);
  });

  it("an onSuccess that throws does not fail the publish", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const { publisher } = setup({
        onSuccess: () => {
          throw new Error("observer broke");
        },
      });
      const receipt = await publisher.publish("orders", 1);
      expect(receipt.transports.map((t) => t.status)).toEqual(["sent", "sent"]);
      await vi.waitFor(() => expect(warnings.some((w) => w.includes("observer broke"))).toBe(true));
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("createPublisher: rejection", () => {
  it("carries every failed attempt's error, is not retryable and takes the last BackendError's code", async () => {
    const errors = [
      new Error("e1"),
      new BackendError("TIMEOUT", "e2", { backend: "b" }),
      new BackendError("TIMEOUT", "e3", { backend: "b" }),
    ];
    const b = stubTransport({ name: "b", fail: (_c, _m, attempt) => errors[attempt - 1] });
    const a = stubTransport({ name: "a", failTimes: 1 });
    const { publisher } = setup({ retries: 2 }, { a, b });
    const err = (await rejection(publisher.publish("orders", 1))) as PublishError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.code).toBe("TIMEOUT");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^\[publisher\] .*"orders".*\bb\b.*e3/);
    expect(err.attempts).toHaveLength(4);
    expect(err.attempts.filter((x) => x.transport === "b").map((x) => [x.attempt, x.error])).toEqual([
      [1, errors[0]],
      [2, errors[1]],
      [3, errors[2]],
    ]);
    expect(err.attempts.find((x) => x.transport === "a")?.error).toBe(a.calls[0]?.error);
    expect(err.cause).toBeInstanceOf(AggregateError);
    expect((err.cause as AggregateError).errors).toEqual(err.attempts.map((x) => x.error));
  });

  it("uses CONNECTION when the last error is not a BackendError", async () => {
    const a = stubTransport({ fail: () => new TypeError("socket hang up") });
    const publisher = createPublisher({
      transports: { a },
      channels: { c: { transport: "a", retries: 1, backoff: fast } },
    });
    const err = await rejection(publisher.publish("c", 1));
    expect(err).toMatchObject({ code: "CONNECTION", retryable: false });
  });
});

describe("createPublisher: idempotency", () => {
  it("a repeat key resolves with the first receipt without sending again", async () => {
    const { publisher, a, b } = setup();
    const first = await publisher.publish("orders", 1, { idempotencyKey: "k1" });
    const again = await publisher.publish("orders", 2, { idempotencyKey: "k1" });
    expect(again).toBe(first);
    expect(first.idempotencyKey).toBe("k1");
    expect(a.sent).toHaveLength(1);
    expect(b.sent).toHaveLength(1);
    expect(a.sent[0]?.idempotencyKey).toBe("k1");
    await publisher.publish("orders", 3, { idempotencyKey: "k2" });
    expect(a.sent).toHaveLength(2);
  });

  it("concurrent repeats share one send", async () => {
    const { publisher, a } = setup();
    const [x, y] = await Promise.all([
      publisher.publish("orders", 1, { idempotencyKey: "k" }),
      publisher.publish("orders", 1, { idempotencyKey: "k" }),
    ]);
    expect(x).toBe(y);
    expect(a.calls).toHaveLength(1);
  });

  it("keys are per channel, expire after the window and are forgotten when the publish failed", async () => {
    const a = stubTransport({ failTimes: 1 });
    const publisher = createPublisher({
      transports: { a },
      channels: { c1: { transport: "a", retries: 0 }, c2: { transport: "a" } },
      dedupWindowMs: 30,
    });
    await rejection(publisher.publish("c1", 1, { idempotencyKey: "k" }));
    await publisher.publish("c1", 1, { idempotencyKey: "k" });
    await publisher.publish("c2", 1, { idempotencyKey: "k" });
    await publisher.publish("c1", 1, { idempotencyKey: "k" });
    expect(a.sent.map((m) => m.channel)).toEqual(["c1", "c2"]);
    await new Promise((r) => setTimeout(r, 40));
    await publisher.publish("c1", 1, { idempotencyKey: "k" });
    expect(a.sent.map((m) => m.channel)).toEqual(["c1", "c2", "c1"]);
  });

  it("dedupWindowMs 0 sends every publish (transports still see the key)", async () => {
    const a = stubTransport();
    const publisher = createPublisher({ transports: { a }, channels: { c: { transport: "a" } }, dedupWindowMs: 0 });
    await publisher.publish("c", 1, { idempotencyKey: "k" });
    await publisher.publish("c", 1, { idempotencyKey: "k" });
    expect(a.sent.map((m) => m.idempotencyKey)).toEqual(["k", "k"]);
  });
});

describe("createPublisher: validation", () => {
  const invalid = expect.objectContaining({ code: "INVALID_ARGUMENT" });

  it("rejects bad publish input before sending anything", async () => {
    const { publisher, a, b } = setup();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const bad: [string, unknown, unknown][] = [
      ["nope", 1, {}],
      ["orders", () => Symbol("lazy"), {}],
      ["orders", 1, { delay: 5 }],
      ["orders", 1, { delayMs: -1 }],
      ["orders", 1, { timeoutMs: 0 }],
      ["orders", { f: Symbol("s") }, {}],
      ["orders", cycle, {}],
      ["orders", 1, { headers: { n: 1 } }],
      ["orders", 1, { headers: "x" }],
      ["orders", 1, { headers: { "": "v" } }],
      ["orders", 1, { idempotencyKey: "" }],
      ["orders", 1, { idempotencyKey: 5 }],
      ["orders", 1, "options"],
    ];
    for (const [channel, payload, options] of bad) {
      await expect(publisher.publish(channel, payload, options as never)).rejects.toEqual(invalid);
    }
    expect(a.calls).toHaveLength(0);
    expect(b.calls).toHaveLength(0);
  });

  it("rejects a bad configuration", () => {
    const t = { a: stubTransport() };
    const bad: unknown[] = [
      { transports: { a: {} }, channels: {} },
      { transports: t, channels: { c: { transport: "zz" } } },
      { transports: t, channels: { c: { transport: [] } } },
      { transports: t, channels: { c: { transport: ["a", "a"] } } },
      { transports: t, channels: { c: { transport: "a", retries: -1 } } },
      { transports: t, channels: { c: { transport: "a", retries: 1.5 } } },
      { transports: t, channels: { c: { transport: "a", backoff: { initialMs: -5 } } } },
      { transports: t, channels: { c: { transport: "a", onFailure: "drop" } } },
      { transports: t, channels: { "": { transport: "a" } } },
      { transports: t, channels: { c: { transport: "a" } }, dedupWindowMs: -1 },
      { transports: t },
    ];
    for (const options of bad) expect(() => createPublisher(options as never)).toThrow(invalid);
  });
});

describe("createPublisher: close", () => {
  it("rejects publishes with CLOSED afterwards and is idempotent", async () => {
    const { publisher, a } = setup();
    await publisher.close();
    await publisher.close();
    const err = await rejection(publisher.publish("orders", 1));
    expect(BackendError.is(err, "CLOSED")).toBe(true);
    expect(a.calls).toHaveLength(0);
  });

  it("waits for an in-flight send and cancels a pending retry", async () => {
    let release: () => void = () => {};
    const slowStub = stubTransport({ name: "slow" });
    const slow: Transport = {
      ...slowStub,
      send: async (channel, messages) => {
        await new Promise<void>((r) => {
          release = r;
        });
        await slowStub.send(channel, messages);
      },
    };
    const flaky = stubTransport({ name: "flaky", failTimes: 10 });
    const publisher = createPublisher({
      transports: { slow, flaky },
      channels: {
        s: { transport: "slow" },
        f: { transport: "flaky", retries: 5, backoff: { initialMs: 60_000 } },
      },
    });
    const sending = publisher.publish("s", 1);
    const retrying = rejection(publisher.publish("f", 1));
    await vi.waitFor(() => expect(flaky.calls).toHaveLength(1));
    let closed = false;
    const closing = publisher.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(false);
    release();
    await closing;
    expect((await sending).transports[0]?.status).toBe("sent");
    const err = (await retrying) as PublishError;
    expect(err.code).toBe("CLOSED");
    expect(flaky.calls).toHaveLength(1);
  });
});

describe("createPublisher: send options, timeouts, results, lazy payloads, logger", () => {
  it("merges channel and publish send options (the publish wins) and hands them to every transport", async () => {
    const a = stubTransport({ name: "a", sendOptions: ["delayMs", "priority", "key"] });
    const b = stubTransport({ name: "b", sendOptions: ["delayMs", "priority", "key"] });
    const publisher = createPublisher({
      transports: { a, b },
      channels: { orders: { transport: ["a", "b"], priority: 1, key: "p" } },
    });
    await publisher.publish("orders", 1, { priority: 5, delayMs: 10 });
    await publisher.publish("orders", 2);
    for (const t of [a, b]) {
      expect(t.calls.map((c) => c.options)).toEqual([
        { priority: 5, key: "p", delayMs: 10 },
        { priority: 1, key: "p" },
      ]);
    }
  });

  it("rejects an option one transport of the channel does not honour before any transport sends", async () => {
    const a = stubTransport({ name: "a", sendOptions: ["priority"] });
    const b = stubTransport({ name: "b" });
    expect(() =>
      createPublisher({ transports: { a, b }, channels: { c: { transport: ["a", "b"], priority: 1 } } }),
    ).toThrow(/"priority" on transport "b"/);
    const publisher = createPublisher({ transports: { a, b }, channels: { c: { transport: ["a", "b"] } } });
    await expect(publisher.publish("c", 1, { priority: 1 })).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    expect(a.calls).toHaveLength(0);
    expect(b.calls).toHaveLength(0);
  });

  it("a publish's timeoutMs overrides the channel's; a timed-out attempt is retried and can then succeed", async () => {
    let slowOnce = true;
    const base = stubTransport({ name: "base" });
    const slowFirst = {
      ...base,
      name: "slow-first",
      send: async (channel: string, messages: readonly Message[]) => {
        if (slowOnce) {
          slowOnce = false;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return base.send(channel, messages);
      },
    };
    const publisher = createPublisher({
      transports: { s: slowFirst },
      channels: { c: { transport: "s", timeoutMs: 5000, backoff: { initialMs: 1, maxMs: 1 } } },
    });
    const receipt = await publisher.publish("c", 1, { timeoutMs: 50 });
    expect(receipt.transports[0]?.attempts).toBe(2);
    expect(receipt.transports[0]?.result).toEqual({ ids: ["0"] });
  });

  it("a broken logger never changes an outcome; a logger without the four methods is INVALID_ARGUMENT", async () => {
    const a = stubTransport({ name: "a" });
    const boom = () => {
      throw new Error("logger down");
    };
    const logger = { debug: boom, info: boom, warn: boom, error: boom };
    const publisher = createPublisher({ transports: { a }, channels: { c: { transport: "a" } }, logger });
    await expect(publisher.publish("c", 1)).resolves.toMatchObject({ channel: "c" });
    expect(() =>
      createPublisher({ transports: { a }, channels: { c: { transport: "a" } }, logger: { info: () => {} } as never }),
    ).toThrow(/logger.debug must be a function/);
  });
});
