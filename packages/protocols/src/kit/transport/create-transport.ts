import { BackendError, invalidArgument, notSupported } from "../../errors.js";
import { checkSendOptions } from "../../send-options.js";
import type {
  Message,
  MessageHandler,
  SendOptionName,
  SendOptions,
  SendResult,
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

/** `delayMs` is the layer's wherever the not-before time reaches the store; the rest are the driver's. */
function sendOptionsOf(driver: TransportDriver): readonly SendOptionName[] {
  const delay = driver.encodes === "message" || driver.storesNotBefore === true;
  return Object.freeze([...(delay ? (["delayMs"] as const) : []), ...(driver.sendOptions ?? [])]);
}

class LayeredTransport implements Transport {
  readonly name: string;
  readonly delivery: "at-least-once" | "at-most-once";
  readonly sendOptions: readonly SendOptionName[];
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
    this.sendOptions = sendOptionsOf(driver);
  }

  send(channel: string, messages: readonly Message[], options?: SendOptions): Promise<SendResult | undefined> {
    let outgoing: OutgoingMessage[];
    let repeats: number[] | undefined;
    let checked: SendOptions | undefined;
    try {
      this.#subscriptions.assertOpen();
      checked = checkSendOptions(this.#driver.name, options, this.sendOptions);
      const notBefore = checked?.delayMs === undefined ? undefined : Date.now() + checked.delayMs;
      outgoing = this.#prepare(channel, messages, notBefore, (i) => (repeats ??= []).push(i));
    } catch (err) {
      return Promise.reject(err);
    }
    const total = outgoing.length + (repeats?.length ?? 0);
    if (outgoing.length === 0) return this.#run("transport.send", () => ({ ids: new Array(total).fill(null) }));
    const driverOptions = checked === undefined || checked.delayMs === undefined ? checked : withoutDelay(checked);
    return this.#run("transport.send", async () => {
      const result = await this.#driver.send(channel, outgoing, this.#settings, driverOptions);
      return reportIds(result || undefined, total, repeats);
    });
  }

  /** Validates and encodes the batch; a key repeated in it keeps its first message (`repeat` hears the others). */
  #prepare(
    channel: string,
    messages: readonly Message[],
    notBefore: number | undefined,
    repeat: (index: number) => void,
  ): OutgoingMessage[] {
    const backend = this.#driver.name;
    assertName(backend, channel, "channel");
    if (!Array.isArray(messages)) {
      throw invalidArgument(backend, `messages must be an array, got ${describeValue(messages)}`);
    }
    const outgoing: OutgoingMessage[] = [];
    let keys: Set<string> | undefined;
    for (let i = 0; i < messages.length; i++) {
      const message = validateMessage(backend, messages[i], i);
      const body = this.#encodeWhole
        ? notBefore === undefined
          ? message
          : { ...message, notBefore }
        : message.payload;
      const text = encodeMessageBody(backend, body, i);
      const key = message.idempotencyKey;
      if (key !== undefined) {
        keys ??= new Set();
        if (keys.has(key)) {
          repeat(i);
          continue;
        }
        keys.add(key);
      }
      outgoing.push(notBefore === undefined ? { message, text } : { message, text, notBefore });
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

function withoutDelay(options: SendOptions): SendOptions | undefined {
  const { delayMs: _, ...rest } = options;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/**
 * The driver's ids of the stored batch, spread back over the caller's batch with `null`
 * where the layer kept an earlier message of the same key. A driver that reports no ids
 * gives no result.
 */
function reportIds(
  result: SendResult | undefined,
  total: number,
  repeats: number[] | undefined,
): SendResult | undefined {
  const stored = result?.ids;
  if (stored === undefined) return undefined;
  if (repeats === undefined) return { ids: stored };
  const ids: (string | null)[] = [];
  let from = 0;
  for (let i = 0; i < total; i++) ids.push(repeats.includes(i) ? null : (stored[from++] ?? null));
  return { ids };
}
