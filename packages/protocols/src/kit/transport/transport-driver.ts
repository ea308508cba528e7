import type { Lifecycle } from "../../lifecycle.js";
import type { Message, SendOptionName, SendOptions, SendResult } from "../../transport.js";

/**
 * Messages a log-backed channel keeps beyond what its groups and subscribers still need,
 * so `fromStart` finds recent history. Drivers that trim their log use this bound.
 *
 * @example
 * ```ts
 * const keepFrom = Math.min(next - RETAINED_MESSAGES, slowestGroup);
 * ```
 */
export const RETAINED_MESSAGES = 1000;

/** Transport settings after validation: what a driver needs to store and deliver. */
export interface TransportSettings {
  /** How long an idempotency key is remembered (ms, a non-negative finite number). */
  readonly dedupWindowMs: number;
  /** Delay before a failed delivery is retried; `undefined` is at-most-once (ephemeral mode). */
  readonly redeliveryDelayMs: number | undefined;
  /** `"durable"` or `"ephemeral"`, as asked for. */
  readonly mode: "durable" | "ephemeral";
}

/**
 * One validated message of a `send`, ready to store: `text` is the whole message encoded
 * (driver `encodes: "message"`) or only its payload (`encodes: "payload"`, the other
 * fields stored beside it). Within one batch an idempotency key appears at most once: the
 * layer keeps the first message of a repeated key, as a later send would.
 */
export interface OutgoingMessage {
  readonly message: Message;
  readonly text: string;
  /**
   * Not to be delivered before this time (ms since the epoch), from `send`'s `delayMs`.
   * With `encodes: "message"` it is inside `text` already; a driver with `encodes:
   * "payload"` that declares `storesNotBefore` stores it and gives it back on
   * {@link StoredMessage}.
   */
  readonly notBefore?: number;
}

/**
 * A stored message handed back for delivery: its position in the channel's log (`seq`,
 * whatever the driver acks by) and its `text` as stored. With `encodes: "payload"` the
 * driver also gives the other fields (`fields`); the layer decodes and copies either way,
 * so every delivery gets a fresh message.
 */
export interface StoredMessage {
  readonly seq: number | string;
  readonly text: string;
  readonly fields?: Omit<Message, "payload">;
  /** The stored {@link OutgoingMessage.notBefore} (`encodes: "payload"` drivers only). */
  readonly notBefore?: number;
}

/** Where a new subscription starts. */
export interface SubscribeStart {
  /** Competing consumers' group, or undefined for a plain subscriber (sees everything). */
  readonly group: string | undefined;
  /** Start at the oldest kept message (new groups and plain subscribers only). */
  readonly fromStart: boolean;
}

/**
 * What one subscription reads from — a plain subscriber's cursor or a group member's
 * claims — for stores whose delivery the layer drives. The layer calls `take` one message
 * at a time; `ack` after the handler succeeded (or gave up under at-most-once), `renew`
 * before each retry of the same message, `release` when the subscription stops before
 * handling it (hand it to another member), and `end` once when the subscription stops.
 *
 * Error contract: a `take`/`ack`/`release` that throws is retried by the layer after a
 * short backoff (a busy lock, a dropped connection); the position must not have moved.
 */
export interface DeliverySource {
  /** The next message to handle (claimed, for a group), or undefined when there is none yet. */
  take(): StoredMessage | undefined | Promise<StoredMessage | undefined>;
  ack(message: StoredMessage): void | Promise<void>;
  release(message: StoredMessage): void | Promise<void>;
  /** Still handling `message` (a retry is coming): keep the claim. Optional. */
  renew?(message: StoredMessage): void | Promise<void>;
  /**
   * Resolves when something may have arrived since the last `take` (at once if it already
   * did), or when `signal` aborts. Never rejects. The layer holds the process alive while
   * this waits, so a driver's own timers may be unref'd.
   */
  wait(signal: AbortSignal): Promise<void>;
  /** The subscription stopped (a group may hand its claims or lease on). Never rejects. */
  end(): void | Promise<void>;
}

/**
 * A subscription the store delivers by itself (native consumer groups, native blocking
 * reads): the driver runs its own loop and calls `deliver` for each stored message, in
 * order. `deliver` decodes, calls the handler and retries it after `redeliveryDelayMs`
 * until it succeeds; it resolves true when the message is handled (ack it), false when
 * the subscription stopped first (leave it for redelivery). `signal` aborts on
 * unsubscribe, transport close and backend close.
 */
export type NativeSubscribe = (
  channel: string,
  start: SubscribeStart,
  deliver: (message: StoredMessage) => Promise<boolean>,
  signal: AbortSignal,
) => Promise<{ stopped(): Promise<void> }>;

/**
 * The storage half of a transport, for {@link createTransport}. Drivers receive validated
 * channel and group names and encoded messages; they never see a closed transport.
 *
 * Error contract: throw a `BackendError` where the store knows the code; anything else is
 * passed through `mapError` (or, without it, wrapped as a `CONNECTION` error).
 *
 * @example
 * ```ts
 * const driver: TransportDriver = {
 *   name: "acme", lifecycle, encodes: "message", modes: ["durable"],
 *   send: (channel, messages) => store.append(channel, messages.map((m) => m.text)),
 *   open: (channel, start) => store.source(channel, start),
 * };
 * ```
 */
export interface TransportDriver {
  /** Backend name, for errors and `transport.name`. */
  readonly name: string;
  /** The backend's lifecycle: calls reject with `CLOSED` once it closes. */
  readonly lifecycle: Lifecycle;
  /** What `OutgoingMessage.text` holds: the whole message, or the payload only. */
  readonly encodes: "message" | "payload";
  /** Modes the store offers; asking for another is `NOT_SUPPORTED`. */
  readonly modes: readonly ("durable" | "ephemeral")[];
  /**
   * `encodes: "payload"` drivers: stores `OutgoingMessage.notBefore` and returns it on
   * `StoredMessage.notBefore`, so the layer honours `delayMs` (with `encodes: "message"`
   * the layer carries it inside the text and `delayMs` always works).
   */
  readonly storesNotBefore?: boolean;
  /**
   * Send options the store honours itself (`priority`, `key`), handed to `send` as
   * `options`; the layer rejects any other with `NOT_SUPPORTED`. `delayMs` is the layer's.
   */
  readonly sendOptions?: readonly Exclude<SendOptionName, "delayMs">[];
  /**
   * Stores (or, ephemeral, publishes) the batch in one round trip; empty batches never
   * arrive. Returns the store's ids of the messages ({@link SendResult}) when it has them;
   * the layer reports them to the caller, filling in a batch repeat of a key as `null`.
   */
  send(
    channel: string,
    messages: readonly OutgoingMessage[],
    settings: TransportSettings,
    options: SendOptions | undefined,
    // biome-ignore lint/suspicious/noConfusingVoidType: drivers without ids keep returning nothing.
  ): void | SendResult | Promise<void | SendResult>;
  /** The source of a new subscription, for stores whose delivery the layer drives. */
  open?(channel: string, start: SubscribeStart, settings: TransportSettings): DeliverySource | Promise<DeliverySource>;
  /** A subscription the store delivers natively (used instead of `open` when given). */
  subscribe?: NativeSubscribe;
  /** Maps a thrown non-`BackendError` (operation: `"transport.send"`, `"transport.subscribe"`). */
  mapError?(error: unknown, operation: string): Error;
  /** Releases what the driver holds for this transport (after its subscriptions ended). Optional. */
  close?(): Promise<void>;
  /** Runs `fn` as in-flight work of the backend (default: `lifecycle.run`). */
  run?<T>(fn: () => T | Promise<T>): Promise<T>;
}
