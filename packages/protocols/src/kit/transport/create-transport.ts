import { BackendError, invalidArgument, notSupported } from "../../errors.js";
import type {
  Message,
  MessageHandler,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportOptions,
} from "../../transport.js";
import {
  encodeMessageBody,
  resolveTransportOptions,
  validateMessage,
  validateSubscribe,
} from "../../transport-input.js";
import { TransportSubscriptions } from "../../transport-subscriptions.js";
import { assertName, describeValue } from "../../validation.js";
import { deliverFrom } from "./delivery-loop.js";
import { nativeSubscription } from "./native-subscription.js";
import type { OutgoingMessage, TransportDriver, TransportSettings } from "./transport-driver.js";

/**
 * Builds the public `Transport` of a backend from its storage driver. The layer validates
 * options, channel and group names, handlers and messages (before anything is written),
 * rejects calls after `close()` with `CLOSED` (the closed check comes first), encodes
 * messages (unencodable payloads are `INVALID_ARGUMENT`) and decodes them for delivery
 * (unreadable text is `CORRUPTION`, redelivered like a failing handler), keeps the first
 * message of an idempotency key repeated within a batch, maps the driver's errors, tracks
 * subscriptions (`close()` ends them; the backend's close too), and runs the delivery
 * loop — retries, redelivery, keeping the process alive while waiting — for drivers that
 * give a {@link DeliverySource} instead of delivering natively.
 *
 * @example
 * ```ts
 * transport(options?: TransportOptions): Transport {
 *   return createTransport(this.#transportDriver, options);
 * }
 * ```
 */
export function createTransport(driver: TransportDriver, options: TransportOptions = {}): Transport {
  const { redeliveryDelayMs, dedupWindowMs } = resolveTransportOptions(driver.name, options);
  const mode = options.mode ?? "durable";
  if (!driver.modes.includes(mode)) throw notSupported(driver.name, `transport mode ${JSON.stringify(mode)}`);
  driver.lifecycle.assertOpen();
  return new LayeredTransport(driver, Object.freeze({ mode, dedupWindowMs, redeliveryDelayMs }));
}

class LayeredTransport implements Transport {
  readonly name: string;
  readonly delivery: "at-least-once" | "at-most-once";
  readonly #driver: TransportDriver;
  readonly #settings: TransportSettings;
  readonly #subscriptions: TransportSubscriptions;
  readonly #encodeWhole: boolean;

  constructor(driver: TransportDriver, settings: TransportSettings) {
    this.name = driver.name;
    this.delivery = settings.redeliveryDelayMs === undefined ? "at-most-once" : "at-least-once";
    this.#driver = driver;
    this.#settings = settings;
    this.#subscriptions = new TransportSubscriptions(driver.name, driver.lifecycle);
    this.#encodeWhole = driver.encodes === "message";
  }

  send(channel: string, messages: readonly Message[]): Promise<void> {
    let outgoing: OutgoingMessage[];
    try {
      this.#subscriptions.assertOpen();
      outgoing = this.#prepare(channel, messages);
    } catch (err) {
      return Promise.reject(err);
    }
    if (outgoing.length === 0) return this.#run("transport.send", noop);
    return this.#run("transport.send", () => this.#driver.send(channel, outgoing, this.#settings));
  }

  /** Validates and encodes the batch; a key repeated in it keeps its first message. */
  #prepare(channel: string, messages: readonly Message[]): OutgoingMessage[] {
    const backend = this.#driver.name;
    assertName(backend, channel, "channel");
    if (!Array.isArray(messages)) {
      throw invalidArgument(backend, `messages must be an array, got ${describeValue(messages)}`);
    }
    const outgoing: OutgoingMessage[] = [];
    let keys: Set<string> | undefined;
    for (let i = 0; i < messages.length; i++) {
      const message = validateMessage(backend, messages[i], i);
      const text = encodeMessageBody(backend, this.#encodeWhole ? message : message.payload, i);
      const key = message.idempotencyKey;
      if (key !== undefined) {
        keys ??= new Set();
        if (keys.has(key)) continue;
        keys.add(key);
      }
      outgoing.push({ message, text });
    }
    return outgoing;
  }

  subscribe(channel: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription> {
    let start: ReturnType<typeof validateSubscribe>;
    try {
      this.#subscriptions.assertOpen();
      start = validateSubscribe(this.#driver.name, channel, handler, options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run("transport.subscribe", async () => {
      const driver = this.#driver;
      const { name, lifecycle } = driver;
      let subscription: Subscription;
      if (driver.subscribe !== undefined) {
        const redelivery = this.#settings.redeliveryDelayMs;
        subscription = await nativeSubscription(driver.subscribe, channel, start, handler, name, redelivery, lifecycle);
      } else if (driver.open !== undefined) {
        const source = await driver.open(channel, start, this.#settings);
        subscription = deliverFrom(source, handler, name, this.#settings.redeliveryDelayMs, lifecycle.signal);
      } else {
        throw notSupported(name, "transport.subscribe");
      }
      try {
        this.#subscriptions.assertOpen();
      } catch (err) {
        // Closed while the driver set up: stop at once rather than leak a live loop.
        await subscription.unsubscribe();
        throw err;
      }
      return this.#subscriptions.track(subscription);
    });
  }

  #run<T>(operation: string, fn: () => T | Promise<T>): Promise<T> {
    const driver = this.#driver;
    const running = driver.run ? driver.run(fn) : driver.lifecycle.run(async () => fn());
    return running.catch((err: unknown) => {
      throw this.#mapError(err, operation);
    });
  }

  #mapError(err: unknown, operation: string): Error {
    if (err instanceof BackendError) return err;
    if (this.#driver.mapError) return this.#driver.mapError(err, operation);
    const reason = err instanceof Error ? err.message : String(err);
    return new BackendError("CONNECTION", `${operation} failed: ${reason}`, { backend: this.#driver.name, cause: err });
  }

  async close(): Promise<void> {
    await this.#subscriptions.close();
    await this.#driver.close?.();
  }
}

function noop(): void {}
