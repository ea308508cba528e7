import type { Lifecycle } from "../../lifecycle.js";
import type { MessageHandler, Subscription } from "../../transport.js";
import { waitForNotBefore } from "./not-before.js";
import { sleepUnlessAborted } from "./process-hold.js";
import { decodeDelivery } from "./stored-message.js";
import type { NativeSubscribe, StoredMessage, SubscribeStart } from "./transport-driver.js";

/**
 * Starts a subscription a store delivers natively (its own blocking reads and consumer
 * groups) and gives it the layer's half of delivery: decode (unreadable text counts as a
 * failed delivery), call the handler, and retry it after `redeliveryDelayMs` until it
 * succeeds (at-least-once) — or, with `redeliveryDelayMs` undefined, move on.
 *
 * @example
 * ```ts
 * const sub = await nativeSubscription(driver.subscribe, "orders", start, handler, "redis", 100, lifecycle);
 * await sub.unsubscribe();
 * ```
 */
export async function nativeSubscription(
  subscribe: NativeSubscribe,
  channel: string,
  start: SubscribeStart,
  handler: MessageHandler,
  backend: string,
  redeliveryDelayMs: number | undefined,
  lifecycle: Lifecycle,
): Promise<Subscription> {
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, lifecycle.signal]);
  const deliver = async (stored: StoredMessage): Promise<boolean> => {
    while (!signal.aborted) {
      try {
        const { message, notBefore } = decodeDelivery(backend, stored);
        // A delayed message (send's delayMs) holds the subscription until its time.
        if (notBefore > 0 && !(await waitForNotBefore(notBefore, signal))) return false;
        await handler(message);
        return true;
      } catch {
        if (redeliveryDelayMs === undefined) return true;
      }
      await sleepUnlessAborted(redeliveryDelayMs, signal);
    }
    return false;
  };
  const running = await subscribe(channel, start, deliver, signal);
  let stopping: Promise<void> | undefined;
  return {
    unsubscribe() {
      stopping ??= (async () => {
        stop.abort();
        await running.stopped();
      })();
      return stopping;
    },
  };
}
