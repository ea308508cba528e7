import type { MessageHandler, Subscription } from "../../transport.js";
import { waitForNotBefore } from "./not-before.js";
import { holdProcess, sleepUnlessAborted } from "./process-hold.js";
import { decodeDelivery } from "./stored-message.js";
import type { DeliverySource, StoredMessage } from "./transport-driver.js";

/** Longest pause after a failing `take`/`ack` before the loop looks again (ms). */
const MAX_BACKOFF_MS = 1000;

/**
 * Delivers stored messages to one handler, in order, one at a time — the delivery of every
 * store without a native one. Retries: a handler that throws (or a message that cannot be
 * decoded) gets the same message again after `redeliveryDelayMs`, and the subscription does
 * not move past it until it succeeds (at-least-once); with `redeliveryDelayMs` undefined it
 * moves on (at-most-once). Delivery starts on a fresh turn of the event loop, never inside
 * `send`. A failing `take`/`ack` (busy, disconnected) is retried with backoff. While it
 * waits for messages or to redeliver it holds the process alive; `unsubscribe` releases.
 *
 * @example
 * ```ts
 * const subscription = deliverFrom(source, handler, "memory", 100, lifecycle.signal);
 * await subscription.unsubscribe();
 * ```
 */
export function deliverFrom(
  source: DeliverySource,
  handler: MessageHandler,
  backend: string,
  redeliveryDelayMs: number | undefined,
  closed: AbortSignal,
): Subscription {
  return new DeliveryLoop(source, handler, backend, redeliveryDelayMs, closed);
}

class DeliveryLoop implements Subscription {
  readonly #source: DeliverySource;
  readonly #handler: MessageHandler;
  readonly #backend: string;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal;
  readonly #done: Promise<void>;

  constructor(
    source: DeliverySource,
    handler: MessageHandler,
    backend: string,
    redeliveryDelayMs: number | undefined,
    closed: AbortSignal,
  ) {
    this.#source = source;
    this.#handler = handler;
    this.#backend = backend;
    this.#redeliveryDelayMs = redeliveryDelayMs;
    this.#signal = AbortSignal.any([this.#stop.signal, closed]);
    this.#done = this.#run();
  }

  async #run(): Promise<void> {
    const signal = this.#signal;
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      let failures = 0;
      while (!signal.aborted) {
        let stored: StoredMessage | undefined;
        try {
          stored = await this.#source.take();
          failures = 0;
        } catch {
          // A passing fault (busy lock, dropped connection): the position did not move.
          await this.#pause(Math.min(MAX_BACKOFF_MS, 20 * 2 ** failures++));
          continue;
        }
        if (stored === undefined) await this.#idle();
        else await this.#settle(stored, await this.#deliver(stored));
      }
    } finally {
      try {
        await this.#source.end();
      } catch {
        // Best effort: what the subscription held is handed on by the store's lease.
      }
    }
  }

  /** True once handled (or given up under at-most-once); false when stopped first. */
  async #deliver(stored: StoredMessage): Promise<boolean> {
    const signal = this.#signal;
    for (;;) {
      try {
        const { message, notBefore } = decodeDelivery(this.#backend, stored);
        // A delayed message (send's delayMs) holds the subscription until its time.
        if (notBefore > 0 && !(await waitForNotBefore(notBefore, signal, () => this.#source.renew?.(stored)))) {
          return false;
        }
        await this.#handler(message);
        return true;
      } catch {
        if (this.#redeliveryDelayMs === undefined) return true;
      }
      if (signal.aborted) return false;
      await this.#pause(this.#redeliveryDelayMs);
      if (signal.aborted) return false;
      try {
        await this.#source.renew?.(stored);
      } catch {
        // The claim lapses at worst: another member gets the message (at-least-once).
      }
    }
  }

  async #settle(stored: StoredMessage, handled: boolean): Promise<void> {
    try {
      if (handled) await this.#source.ack(stored);
      else await this.#source.release(stored);
    } catch {
      // An unacknowledged message is delivered again (at-least-once).
    }
  }

  async #idle(): Promise<void> {
    // An active subscription keeps the process alive while it waits for messages.
    const release = holdProcess();
    try {
      await this.#source.wait(this.#signal);
    } finally {
      release();
    }
  }

  #pause(ms: number): Promise<void> {
    return sleepUnlessAborted(ms, this.#signal);
  }

  /** Stops delivery and waits for an in-flight handler. Idempotent. */
  unsubscribe(): Promise<void> {
    this.#stop.abort();
    return this.#done;
  }
}
