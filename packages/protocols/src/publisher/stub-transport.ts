import { BackendError, closedError, invalidArgument } from "../errors.js";
import { checkSendOptions } from "../send-options.js";
import type {
  Message,
  MessageHandler,
  SendOptionName,
  SendOptions,
  SendResult,
  SubscribeOptions,
  Subscription,
  Transport,
} from "../transport.js";
import { assertName, assertNonNegativeInteger } from "../validation.js";

/** Options of {@link stubTransport}. */
export interface StubTransportOptions {
  /** Name reported in receipts and errors. Default `"stub"`. */
  name?: string;
  /** The first `failTimes` calls of `send` fail with a retryable CONNECTION error. Default 0. */
  failTimes?: number;
  /**
   * Decides per call whether `send` fails: return an Error to throw it. `attempt` counts
   * this stub's `send` calls from 1. Checked after `failTimes`.
   */
  fail?: (channel: string, messages: readonly Message[], attempt: number) => Error | undefined;
  /** Send options the stub accepts (and records in `calls`); others are `NOT_SUPPORTED`. Default none. */
  sendOptions?: readonly SendOptionName[];
  /** Each `send` takes this long (ms) before it succeeds or fails, to exercise timeouts. Default 0. */
  latencyMs?: number;
}

/** One call of a stub's `send`, successful or not. */
export interface StubSendCall {
  channel: string;
  messages: readonly Message[];
  attempt: number;
  /** The send options given, when any. */
  options?: SendOptions;
  error?: Error;
}

/** A {@link Transport} that records what it is given, for tests. */
export interface StubTransport extends Transport {
  /** Messages of every successful `send`, in order. */
  readonly sent: readonly (Message & { channel: string })[];
  /** Every `send` call, including failed ones. */
  readonly calls: readonly StubSendCall[];
}

interface StubSubscriber {
  handler: MessageHandler;
  group: string | undefined;
  // Chains this subscriber's deliveries so it sees one message at a time, in order.
  tail: Promise<void>;
  active: boolean;
}

/**
 * A transport that keeps sent messages in `.sent`, can fail on demand and delivers to
 * in-process subscribers (plain subscribers get every message; a group's subscribers take
 * turns). It accepts the send options listed in `sendOptions` (recording them in `calls`,
 * without acting on them) and reports each message's index in `.sent` as its id.
 * At-most-once: handler errors are ignored, nothing is stored for later
 * subscribers, and idempotency keys are not deduplicated, so tests see exactly what a
 * publisher sent.
 *
 * @example
 * ```ts
 * const flaky = stubTransport({ failTimes: 2 });
 * const publisher = createPublisher({ transports: { flaky }, channels: { c: { transport: "flaky" } } });
 * await publisher.publish("c", { hello: 1 }); // succeeds on the third attempt
 * flaky.sent.length; // 1
 * ```
 */
export function stubTransport(options: StubTransportOptions = {}): StubTransport {
  const name = options.name ?? "stub";
  assertName("stub", name, "name");
  const failTimes = options.failTimes ?? 0;
  assertNonNegativeInteger(name, failTimes, "failTimes");
  if (options.fail !== undefined && typeof options.fail !== "function") {
    throw invalidArgument(name, "fail must be a function");
  }
  const honoured = Object.freeze([...(options.sendOptions ?? [])]);
  const latencyMs = options.latencyMs ?? 0;
  assertNonNegativeInteger(name, latencyMs, "latencyMs");
  const sent: (Message & { channel: string })[] = [];
  const calls: StubSendCall[] = [];
  const channels = new Map<string, Set<StubSubscriber>>();
  const turns = new Map<string, number>();
  let closed = false;

  const deliver = (channel: string, message: Message) => {
    const subscribers = [...(channels.get(channel) ?? [])];
    const groups = new Map<string, StubSubscriber[]>();
    for (const s of subscribers) {
      if (s.group === undefined) enqueue(s, message);
      else groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
    }
    for (const [group, members] of groups) {
      const key = `${channel}\u0000${group}`;
      const turn = turns.get(key) ?? 0;
      turns.set(key, turn + 1);
      enqueue(members[turn % members.length] as StubSubscriber, message);
    }
  };
  const enqueue = (s: StubSubscriber, message: Message) => {
    const copy = { ...message, headers: { ...message.headers } };
    s.tail = s.tail.then(async () => {
      if (!s.active) return;
      try {
        await s.handler(copy);
      } catch {
        // at-most-once: a failing handler loses the message, as documented.
      }
    });
  };

  return {
    name,
    delivery: "at-most-once",
    sent,
    calls,
    sendOptions: honoured,
    async send(channel, messages, sendOptions): Promise<SendResult> {
      if (closed) throw closedError(name);
      assertName(name, channel, "channel");
      if (!Array.isArray(messages)) throw invalidArgument(name, "messages must be an array");
      const given = checkSendOptions(name, sendOptions, honoured);
      const attempt = calls.length + 1;
      const error =
        attempt <= failTimes
          ? new BackendError("CONNECTION", `simulated failure ${attempt} of ${failTimes}`, { backend: name })
          : options.fail?.(channel, messages, attempt);
      const call: StubSendCall = { channel, messages, attempt };
      if (given !== undefined) call.options = given;
      if (error) call.error = error;
      calls.push(call);
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (error) throw error;
      const ids: string[] = [];
      for (const message of messages) {
        ids.push(String(sent.length));
        sent.push({ ...message, channel });
        deliver(channel, message);
      }
      return { ids };
    },
    async subscribe(channel, handler: MessageHandler, subscribeOptions: SubscribeOptions = {}): Promise<Subscription> {
      if (closed) throw closedError(name);
      assertName(name, channel, "channel");
      if (typeof handler !== "function") throw invalidArgument(name, "handler must be a function");
      if (subscribeOptions.group !== undefined) assertName(name, subscribeOptions.group, "group");
      const subscriber: StubSubscriber = {
        handler,
        group: subscribeOptions.group,
        tail: Promise.resolve(),
        active: true,
      };
      let set = channels.get(channel);
      if (!set) channels.set(channel, (set = new Set()));
      set.add(subscriber);
      return {
        async unsubscribe() {
          subscriber.active = false;
          channels.get(channel)?.delete(subscriber);
          await subscriber.tail;
        },
      };
    },
    async close() {
      closed = true;
      const all = [...channels.values()].flatMap((set) => [...set]);
      channels.clear();
      for (const s of all) s.active = false;
      await Promise.all(all.map((s) => s.tail));
    },
  };
}
