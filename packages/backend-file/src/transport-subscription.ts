import { defaultCodec, type Message, type MessageHandler, type Subscription } from "@core/protocols";
import type { Topic } from "./topic.js";

/** Where a subscription takes its messages from: its own cursor, or its group. */
export interface MessageSource {
  /** Sequence of the next message to handle, or undefined when there is none yet. */
  take(): Promise<number | undefined>;
  ack(seq: number): Promise<void>;
  /** The subscription left before handling `seq`. */
  release(seq: number): void;
  /** The subscription ended (a group may hand its lease on). */
  leave(): Promise<void>;
}

/**
 * Decodes a stored message.
 *
 * @example
 * ```ts
 * const message = decodeMessage(text);
 * ```
 */
export function decodeMessage(text: string): Message {
  const stored = defaultCodec.decode(text) as Message;
  const message: Message = {
    id: stored.id,
    payload: stored.payload,
    headers: { ...stored.headers },
    publishedAt: stored.publishedAt,
  };
  if (stored.idempotencyKey !== undefined) message.idempotencyKey = stored.idempotencyKey;
  return message;
}

/**
 * One subscriber: hands it one message at a time, in order, from a fresh turn of the
 * event loop. With `redeliveryDelayMs` set, a handler that throws gets the same message
 * again after the delay and the subscription does not move past it (at-least-once).
 *
 * @example
 * ```ts
 * const sub = new FileSubscription(topic, source, handler, 100, lifecycle.signal);
 * await sub.unsubscribe();
 * ```
 */
export class FileSubscription implements Subscription {
  readonly #topic: Topic;
  readonly #source: MessageSource;
  readonly #handler: MessageHandler;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #stopped = new AbortController();
  readonly #done: Promise<void>;

  constructor(
    topic: Topic,
    source: MessageSource,
    handler: MessageHandler,
    redeliveryDelayMs: number | undefined,
    closed: AbortSignal,
  ) {
    this.#topic = topic;
    // Removed when delivery stops: a backend that outlives many subscriptions keeps none.
    const stop = () => this.#stopped.abort();
    closed.addEventListener("abort", stop, { once: true });
    this.#stopped.signal.addEventListener("abort", () => closed.removeEventListener("abort", stop), { once: true });
    this.#source = source;
    this.#handler = handler;
    this.#redeliveryDelayMs = redeliveryDelayMs;
    this.#done = this.#run().catch(() => {});
  }

  get #active(): boolean {
    return !this.#stopped.signal.aborted;
  }

  async #run(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#active) {
        try {
          await this.#step();
        } catch {
          // A passing fault (a lock held too long, a segment trimmed under a read): the
          // position did not move, so waiting and trying again loses nothing.
          await this.#sleep(this.#redeliveryDelayMs ?? 100);
        }
      }
    } finally {
      await this.#source.leave();
    }
  }

  async #step(): Promise<void> {
    await this.#topic.serial(() => this.#topic.refresh());
    const seq = await this.#source.take();
    if (seq === undefined) {
      await this.#topic.waitForAppend([this.#stopped.signal]);
      return;
    }
    let handled = false;
    try {
      handled = await this.#deliver(seq);
    } finally {
      if (handled) await this.#source.ack(seq);
      else this.#source.release(seq);
    }
  }

  async #deliver(seq: number): Promise<boolean> {
    const [raw] = await this.#topic.serial(() => this.#topic.read(seq, 1));
    if (raw === undefined || raw.offset !== seq) return true;
    for (;;) {
      try {
        await this.#handler(decodeMessage(raw.text));
        return true;
      } catch {
        if (this.#redeliveryDelayMs === undefined) return true;
      }
      if (!this.#active) return false;
      await this.#sleep(this.#redeliveryDelayMs);
      if (!this.#active) return false;
    }
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#stopped.signal;
    return new Promise((resolve) => {
      // Ref'd: a subscription waiting to redeliver keeps the process alive; stop clears it.
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Stops delivery and waits for an in-flight handler. Idempotent. */
  unsubscribe(): Promise<void> {
    this.#stopped.abort();
    return this.#done;
  }
}
