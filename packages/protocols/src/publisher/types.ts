import type { Message, SendOptions, SendResult, Transport } from "../transport.js";
import type { BackoffOptions } from "./backoff.js";

/** What hooks are told about one attempt of one transport. */
export interface PublishContext {
  /** The publisher channel. */
  channel: string;
  /** The transport's key in `createPublisher({ transports })`. */
  transport: string;
  message: Message;
  /** 1-based attempt number of this transport for this message. */
  attempt: number;
}

/** Context of `onFailure` and `onFatal`: the attempt's error too. */
export interface PublishFailureContext extends PublishContext {
  error: unknown;
}

/**
 * What `onFailure` decides: `"retry"` (retry while retries remain, even for a
 * non-retryable error), `"drop"` (stop retrying this transport; the receipt marks it
 * dropped and publish still resolves) or nothing (retry if the error is retryable).
 */
export type FailureDecision = "retry" | "drop" | undefined;

/**
 * A logger of the shape of `console` or pino: each method gets the event's fields first
 * and a message second (pino's order; `console` prints both).
 */
export interface PublisherLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * How one channel publishes. `delayMs`, `priority` and `key` are {@link SendOptions} sent
 * with every publish of the channel (a publish's own value wins); each transport of the
 * channel must honour them (`transport.sendOptions`), else `createPublisher` throws
 * `NOT_SUPPORTED`.
 */
export interface ChannelConfig extends SendOptions {
  /** Key(s) of the transports the channel fans out to, in parallel. */
  transport: string | readonly string[];
  /** Retries per transport after the first attempt. Default 3. */
  retries?: number;
  /** Delay between attempts. */
  backoff?: BackoffOptions;
  /**
   * Longest one attempt of one transport may take (ms); a slower attempt fails with
   * `TIMEOUT` (retryable) and counts toward `retries`. The abandoned send may still land,
   * so a retry can send twice: give an `idempotencyKey` to make durable transports drop
   * the repeat. Default: no limit.
   */
  timeoutMs?: number;
  /** Called once per transport that accepted the message. */
  onSuccess?(ctx: PublishContext): void | Promise<void>;
  /** Called after every failed attempt; may drop the transport or force a retry. */
  onFailure?(ctx: PublishFailureContext): FailureDecision | Promise<FailureDecision>;
  /** Called once per transport whose retries are exhausted, before publish rejects. */
  onFatal?(ctx: PublishFailureContext): void | Promise<void>;
}

/** Options of `createPublisher`. */
export interface PublisherOptions {
  /** Transports by key (a key is what channels and receipts refer to). */
  transports: Record<string, Transport>;
  /** Channel name → how it publishes. Channel names follow the store-name rules. */
  channels: Record<string, ChannelConfig>;
  /**
   * How long the publisher remembers an idempotency key (ms): a repeat publish of the same
   * key on the same channel within the window resolves with the first receipt and sends
   * nothing. `0` turns the publisher-side memory off (transports still deduplicate).
   * Default 24 h.
   */
  dedupWindowMs?: number;
  /** Most idempotency keys remembered; the oldest are forgotten first. Default 100 000. */
  dedupMaxKeys?: number;
  /**
   * Where attempts (`debug`), retries and drops (`warn`), exhausted transports (`error`)
   * and throwing hooks (`warn`) are reported, e.g. `console` or a pino logger. Default:
   * nothing is logged; a throwing hook is still a process warning.
   */
  logger?: PublisherLogger;
}

/** Outcome of one transport for one publish. */
export interface TransportReceipt {
  /** The transport's key in `createPublisher({ transports })`. */
  transport: string;
  /** The transport's backend name. */
  backend: string;
  /** `"sent"`, or `"dropped"` when `onFailure` returned `"drop"`. */
  status: "sent" | "dropped";
  /** Attempts made (1 = no retry). */
  attempts: number;
  /** The last error of a dropped transport. */
  error?: unknown;
  /** What the transport's `send` resolved with (e.g. the ids it gave the message), when anything. */
  result?: SendResult;
}

/** What `publish` resolves with. */
export interface PublishReceipt {
  channel: string;
  messageId: string;
  publishedAt: number;
  idempotencyKey?: string;
  /** One per transport of the channel, in configuration order. */
  transports: readonly TransportReceipt[];
}

/**
 * Options of `publish`. `delayMs`, `priority` and `key` are {@link SendOptions} for this
 * publish (overriding the channel's); a transport of the channel that does not honour one
 * makes the publish reject with `NOT_SUPPORTED` before anything is sent.
 */
export interface PublishOptions extends SendOptions {
  /** Makes a repeat publish (and a repeat delivery on durable transports) a no-op. */
  idempotencyKey?: string;
  /** String → string metadata carried with the message. */
  headers?: Record<string, string>;
  /** Per-attempt limit for this publish (ms), overriding the channel's `timeoutMs`. */
  timeoutMs?: number;
}

/** One failed attempt, as carried by a {@link PublishError}. */
export interface PublishAttempt {
  transport: string;
  attempt: number;
  error: unknown;
}

/** The runtime over one or more transports. */
export interface Publisher extends AsyncDisposable {
  /**
   * Sends `payload` to every transport of `channel`, retrying each independently.
   * Rejects with a `PublishError` when any transport exhausted its retries. A function
   * payload (sync or async) is lazy: it is called once per publish — not per retry, and
   * not for a repeat of an idempotency key — and its value is sent; if it throws, the
   * publish rejects with that error and nothing is sent.
   */
  publish(channel: string, payload: unknown, options?: PublishOptions): Promise<PublishReceipt>;
  /** Rejects later publishes with CLOSED, cancels pending retries and waits for in-flight sends. Does not close the transports. Idempotent. */
  close(): Promise<void>;
}
