import type { Message, Transport } from "../transport.js";
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

/** How one channel publishes. */
export interface ChannelConfig {
  /** Key(s) of the transports the channel fans out to, in parallel. */
  transport: string | readonly string[];
  /** Retries per transport after the first attempt. Default 3. */
  retries?: number;
  /** Delay between attempts. */
  backoff?: BackoffOptions;
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

/** Options of `publish`. */
export interface PublishOptions {
  /** Makes a repeat publish (and a repeat delivery on durable transports) a no-op. */
  idempotencyKey?: string;
  /** String → string metadata carried with the message. */
  headers?: Record<string, string>;
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
   * Rejects with a `PublishError` when any transport exhausted its retries.
   */
  publish(channel: string, payload: unknown, options?: PublishOptions): Promise<PublishReceipt>;
  /** Rejects later publishes with CLOSED, cancels pending retries and waits for in-flight sends. Does not close the transports. Idempotent. */
  close(): Promise<void>;
}
