import { closedError } from "./errors.js";
import type { Lifecycle } from "./lifecycle.js";
import type { Subscription } from "./transport.js";

/**
 * The live subscriptions of one transport handle: hands out `Subscription`s that forget
 * themselves on `unsubscribe`, rejects calls after the handle or its backend closed, and
 * on `close()` (or the backend's close) ends every subscription once.
 *
 * @example
 * ```ts
 * const subs = new TransportSubscriptions("memory", shared.lifecycle);
 * subs.assertOpen();
 * return subs.track(new MemorySubscription(…));
 * await subs.close();
 * ```
 */
export class TransportSubscriptions {
  readonly #backend: string;
  readonly #lifecycle: Lifecycle;
  readonly #live = new Set<Subscription>();
  readonly #unregister: () => void;
  #closing: Promise<void> | undefined;

  constructor(backend: string, lifecycle: Lifecycle) {
    this.#backend = backend;
    this.#lifecycle = lifecycle;
    this.#unregister = lifecycle.onClose(() => this.close());
  }

  /** Throws `CLOSED` once the handle or the backend is closed. */
  assertOpen(): void {
    this.#lifecycle.assertOpen();
    if (this.#closing) throw closedError(this.#backend);
  }

  /** Registers a live subscription; the returned handle unregisters it on `unsubscribe`. */
  track(subscription: Subscription): Subscription {
    this.#live.add(subscription);
    return {
      unsubscribe: async () => {
        await subscription.unsubscribe();
        this.#live.delete(subscription);
      },
    };
  }

  /** Idempotent: ends every live subscription of this handle. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#unregister();
      await Promise.all([...this.#live].map((s) => s.unsubscribe()));
      this.#live.clear();
    })();
    return this.#closing;
  }
}
