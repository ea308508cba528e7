import { defaultCodec, type Message, type MessageHandler, type Subscription } from "@core/protocols";
import { holdProcess } from "./keep-alive.js";
import type { MemoryChannel, StoredMessage } from "./transport-channel.js";

/** Where a subscription takes its messages from: its own cursor, or its group. */
export interface MessageSource {
  /** Sequence of the next message to handle, or undefined when there is none yet. */
  take(): number | undefined;
  /** The message was handled. */
  ack(seq: number): void;
  /** The subscription left before handling `seq`: give it to someone else. */
  release(seq: number): void;
  /** The subscription ended. */
  end(): void;
}

/** A plain subscriber's source: every message from its cursor on, in order. */
export function cursorSource(channel: MemoryChannel, fromStart: boolean): MessageSource {
  const cursor = { position: fromStart ? channel.first : channel.next };
  const remove = channel.addCursor(cursor);
  return {
    take: () => (cursor.position < channel.next ? cursor.position : undefined),
    ack: (seq) => {
      cursor.position = seq + 1;
      channel.trim();
    },
    release: () => {},
    end: remove,
  };
}

/** A group member's source: messages the group has not handed to anyone, returned ones first. */
export function groupSource(channel: MemoryChannel, name: string, fromStart: boolean): MessageSource {
  const group = channel.group(name, fromStart);
  return {
    take: () => {
      let seq = group.returned.shift();
      if (seq === undefined && group.next < channel.next) {
        seq = group.next;
        group.next += 1;
      }
      if (seq !== undefined) group.pending.add(seq);
      return seq;
    },
    ack: (seq) => {
      group.pending.delete(seq);
      channel.trim();
    },
    release: (seq) => {
      group.pending.delete(seq);
      group.returned.push(seq);
      group.returned.sort((a, b) => a - b);
      channel.wake();
    },
    end: () => {},
  };
}

function toMessage(stored: StoredMessage): Message {
  const message: Message = {
    id: stored.id,
    payload: defaultCodec.decode(stored.text),
    headers: { ...stored.headers },
    publishedAt: stored.publishedAt,
  };
  // Stryker disable next-line ConditionalExpression: an own idempotencyKey: undefined equals an absent one (toEqual, JSON)
  if (stored.idempotencyKey !== undefined) message.idempotencyKey = stored.idempotencyKey;
  return message;
}

/**
 * One subscriber: a loop that hands it one message at a time, in order, always from a
 * fresh turn of the event loop (never inside `send`). With `redeliveryDelayMs` set, a
 * handler that throws gets the same message again after the delay and the subscription
 * does not move past it until it succeeds (at-least-once); otherwise it moves on.
 *
 * @example
 * ```ts
 * const sub = new MemorySubscription(channel, cursorSource(channel, false), handler, 100);
 * await sub.unsubscribe();
 * ```
 */
export class MemorySubscription implements Subscription {
  readonly #channel: MemoryChannel;
  readonly #source: MessageSource;
  readonly #handler: MessageHandler;
  readonly #redeliveryDelayMs: number | undefined;
  readonly #stopped = new AbortController();
  readonly #done: Promise<void>;
  #wake: (() => void) | undefined;
  // Stryker disable next-line BooleanLiteral: one extra turn of the idle loop
  #signalled = false;

  constructor(
    channel: MemoryChannel,
    source: MessageSource,
    handler: MessageHandler,
    redeliveryDelayMs: number | undefined,
  ) {
    this.#channel = channel;
    this.#source = source;
    this.#handler = handler;
    this.#redeliveryDelayMs = redeliveryDelayMs;
    const stopListening = channel.onChange(() => this.#notify());
    this.#done = this.#run().finally(() => {
      stopListening();
      source.end();
    });
  }

  get #active(): boolean {
    return !this.#stopped.signal.aborted;
  }

  async #run(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#active) {
      this.#signalled = false;
      const seq = this.#source.take();
      if (seq === undefined) {
        await this.#idle();
        continue;
      }
      if (await this.#deliver(seq)) this.#source.ack(seq);
      else this.#source.release(seq);
    }
  }

  /** True once handled (or given up under at-most-once); false when the subscription ended first. */
  async #deliver(seq: number): Promise<boolean> {
    for (;;) {
      const stored = this.#channel.at(seq);
      // Kept entries are pinned by this subscription's position; a gap cannot happen.
      // Stryker disable next-line ConditionalExpression,BooleanLiteral: unreachable: a subscription's position pins its entries
      if (stored === undefined) return true;
      try {
        await this.#handler(toMessage(stored));
        return true;
      } catch {
        if (this.#redeliveryDelayMs === undefined) return true;
      }
      if (!this.#active) return false;
      await this.#sleep(this.#redeliveryDelayMs);
      if (!this.#active) return false;
    }
  }

  #idle(): Promise<void> {
    // Stryker disable next-line ConditionalExpression: take() and idle() run in one synchronous turn, so no wake-up can fall between them
    if (this.#signalled) return Promise.resolve();
    // A waiting subscription keeps the process alive until a message or unsubscribe/close.
    const release = holdProcess();
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    }).finally(release);
  }

  #notify(): void {
    // Stryker disable next-line BooleanLiteral: take() and idle() run in one synchronous turn, so no wake-up can fall between them
    this.#signalled = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#stopped.signal;
    return new Promise((resolve) => {
      // Ref'd: a subscription waiting to redeliver keeps the process alive; stop clears it.
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        // Stryker disable next-line StringLiteral: a listener left on the stop signal calls done() once more; not observable
        signal.removeEventListener("abort", done);
        resolve();
      }
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: done() removes the listener itself
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Stops delivery and waits for an in-flight handler. Idempotent. */
  unsubscribe(): Promise<void> {
    this.#stopped.abort();
    this.#notify();
    return this.#done;
  }
}
