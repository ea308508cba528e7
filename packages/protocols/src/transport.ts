/**
 * A message as transports carry it. `id` is unique per publish; `idempotencyKey`, when
 * set, makes durable transports drop a repeat within their dedup window.
 */
export interface Message {
  id: string;
  payload: unknown;
  headers: Record<string, string>;
  /** Milliseconds since the epoch. */
  publishedAt: number;
  idempotencyKey?: string;
}

/** Receives messages; a rejection means "not handled" (durable transports redeliver). */
export type MessageHandler = (message: Message) => void | Promise<void>;

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /**
   * Competing consumers: each message goes to one subscriber of the group, and the group's
   * position survives restarts on durable transports. Without a group a subscription sees
   * every message published after it started.
   */
  group?: string;
  /** Start at the oldest kept message instead of new ones (durable transports; new groups). */
  fromStart?: boolean;
}

/** A live subscription. */
export interface Subscription {
  /** Stops delivery; waits for an in-flight handler. Idempotent. */
  unsubscribe(): Promise<void>;
}

/** Names of the per-send options ({@link SendOptions}); a transport lists those it honours in `sendOptions`. */
export type SendOptionName = "delayMs" | "priority" | "key";

/**
 * Per-send options (the same for every message of the batch). A transport honours those
 * it lists in `transport.sendOptions` and rejects any other with `NOT_SUPPORTED` — it never
 * ignores one.
 *
 * - `delayMs`: deliver no earlier than this many ms after the send (a not-before time
 *   stored with the message). Channels are ordered, so a delayed message also holds back
 *   the messages sent after it on the same channel.
 * - `priority`: an integer, higher first, for transports that reorder by priority.
 * - `key`: a routing/partition key, for transports that partition a channel by key.
 */
export interface SendOptions {
  delayMs?: number;
  priority?: number;
  key?: string;
}

/**
 * What a transport's `send` reports. `ids` has one entry per message of the batch, in
 * order: the transport's own id for it (its position in the channel: a sequence number or
 * a Redis stream id, as a string; `""` when it was published without being stored, as on
 * Redis pub/sub), or `null` when it was dropped as a repeat of an idempotency key.
 */
export interface SendResult {
  readonly ids: readonly (string | null)[];
}

/** Options of `backend.transport(options)`. */
export interface TransportOptions {
  /** `"durable"` (default where supported) or `"ephemeral"` (at-most-once, e.g. redis pub/sub). */
  mode?: "durable" | "ephemeral";
  /** How long an idempotency key is remembered (ms). Default 24 h. */
  dedupWindowMs?: number;
  /** Delay before a message whose handler failed is delivered again (ms). Default 100. */
  redeliveryDelayMs?: number;
}

/**
 * The per-backend half of the publisher: moves messages of named channels to
 * subscribers. Applications use `createPublisher` on top of one or more transports.
 *
 * Semantics every backend shares:
 * - Messages of a channel reach each subscriber in send order.
 * - Without a group, a subscription receives messages sent after it started (or, with
 *   `fromStart` on a durable transport, every kept message).
 * - With a group, each message goes to exactly one live subscriber of the group; a new
 *   group starts at new messages (or the oldest kept with `fromStart`); a group's position
 *   survives unsubscribe and, on persistent backends, restart — messages sent while the
 *   group had no subscriber are delivered when one returns.
 * - At-least-once transports redeliver a message whose handler threw (after
 *   `redeliveryDelayMs`), and do not move past it until it succeeds.
 * - A message whose `idempotencyKey` was already sent on the channel within the dedup
 *   window is dropped by `send` (not stored, not delivered).
 * - Channel and group names follow the store-name rules (INVALID_ARGUMENT otherwise).
 *
 * @example
 * ```ts
 * const bus = backend.transport();
 * await bus.subscribe("orders", async (m) => ship(m.payload), { group: "shipping" });
 * await bus.send("orders", [{ id: "1", payload: { sku: 1 }, headers: {}, publishedAt: Date.now() }]);
 * ```
 */
export interface Transport {
  /** Backend name, for receipts and errors. */
  readonly name: string;
  /** Delivery guarantee of this transport. */
  readonly delivery: "at-least-once" | "at-most-once";
  /**
   * Per-send options this transport honours (see {@link SendOptions}); any other is
   * `NOT_SUPPORTED`. Absent means none.
   */
  readonly sendOptions?: readonly SendOptionName[];
  /**
   * Delivers (durable: stores) every message, in order. Resolves with the transport's
   * {@link SendResult} where it has one (every built-in transport does).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: transports written before SendResult (`async send(): Promise<void>`) stay valid.
  send(channel: string, messages: readonly Message[], options?: SendOptions): Promise<SendResult | void>;
  subscribe(channel: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** Ends subscriptions of this transport. The backend's `close()` closes it too. */
  close(): Promise<void>;
}
