import type { SendResult, TransportOptions } from "@core/protocols";
import type { NativeSubscribe, OutgoingMessage, TransportDriver, TransportSettings } from "@core/protocols/kit";
import { assertNonNegativeInteger, assertPlainObject } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import { namespaceKey } from "./keys.js";
import { scripts } from "./scripts.js";
import { type RedisShared, run } from "./shared.js";
import { EphemeralSubscribers } from "./transport-ephemeral.js";
import { StreamSubscription } from "./transport-subscription.js";

/** Options of `backend.transport()` on Redis. */
export interface RedisTransportOptions extends TransportOptions {
  /**
   * Durable mode: a message held this long (ms) by a group consumer that stopped without
   * unsubscribing (a crashed process) is reclaimed with `XAUTOCLAIM` by another consumer
   * of the group. Longer than your slowest handler. Default 30 000.
   */
  claimIdleMs?: number;
}

/** Keys of one channel: `{prefix}:{t:<channel>}:s` (stream), `:p` (pub/sub), `:d:<key>` (dedup). */
export function channelKeys(shared: RedisShared, channel: string) {
  const base = namespaceKey(shared.prefix, "t", channel);
  return { stream: `${base}:s`, pubsub: `${base}:p`, dedup: (key: string) => `${base}:d:${key}` };
}

/**
 * One script call: dedup by idempotency key (SET NX PX), then `XADD` (durable) or `PUBLISH`
 * (ephemeral). Reports each message's stream id (`""` when published, null for a repeat).
 */
async function sendMessages(
  shared: RedisShared,
  channel: string,
  messages: readonly OutgoingMessage[],
  settings: TransportSettings,
): Promise<SendResult> {
  const keys = channelKeys(shared, channel);
  // PX takes whole milliseconds; a window under one remembers no key (nothing is deduplicated).
  const window = Math.ceil(settings.dedupWindowMs);
  const scriptKeys = [keys.stream];
  const args: (string | number)[] = [settings.mode === "durable" ? "stream" : "publish", window, keys.pubsub];
  for (const { message, text } of messages) {
    const key = window > 0 ? message.idempotencyKey : undefined;
    scriptKeys.push(key === undefined ? keys.stream : keys.dedup(key));
    args.push(key === undefined ? "0" : "1", text);
  }
  const replies = (await scripts().transportSend.run(shared.client, scriptKeys, args)) as unknown[];
  // 0 marks a repeat of an idempotency key; strings are stream ids ("" for PUBLISH).
  return { ids: replies.map((reply) => (typeof reply === "string" ? reply : null)) };
}

/**
 * The Redis transport's storage, for `createTransport`, one per `backend.transport()`:
 * durable (default) on a stream per channel with Redis consumer groups (native groups and
 * blocking reads: {@link StreamSubscription}), or ephemeral (`{ mode: "ephemeral" }`) on
 * PUBLISH/SUBSCRIBE ({@link EphemeralSubscribers}). Idempotency keys are `SET NX PX`
 * keys that expire with the dedup window. The layer retries failing handlers.
 *
 * @example
 * ```ts
 * const bus = createTransport(redisTransportDriver(shared, options), options);
 * ```
 */
export function redisTransportDriver(shared: RedisShared, options: RedisTransportOptions = {}): TransportDriver {
  assertPlainObject(BACKEND, options, "transport options");
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  assertNonNegativeInteger(BACKEND, claimIdleMs, "claimIdleMs");
  let subscribe: NativeSubscribe;
  let close: (() => Promise<void>) | undefined;
  if (options.mode === "ephemeral") {
    const subscribers = new EphemeralSubscribers(shared);
    subscribe = (channel, start, deliver) => subscribers.subscribe(channelKeys(shared, channel).pubsub, start, deliver);
    close = () => subscribers.close();
  } else {
    subscribe = (channel, start, deliver, signal) =>
      StreamSubscription.start({
        shared,
        claimIdleMs,
        stream: channelKeys(shared, channel).stream,
        start,
        deliver,
        signal,
      });
  }
  return {
    name: BACKEND,
    lifecycle: shared.lifecycle,
    encodes: "message",
    modes: ["durable", "ephemeral"],
    send: (channel, messages, settings) =>
      run(shared, "transport.send", () => sendMessages(shared, channel, messages, settings)),
    subscribe,
    ...(close === undefined ? {} : { close }),
  };
}
